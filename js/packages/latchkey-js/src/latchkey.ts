import { clientUatCookie, CookieJar, sessionCookie } from "./cookies";
import type { Core } from "./core";
import { LatchkeyError } from "./errors";
import {
  type AccountFieldsFragment,
  ClientDocument,
  CreateHandoffDocument,
  EnvironmentDocument,
  type EnvironmentQuery,
  type ClientFieldsFragment,
  MeDocument,
  RedeemHandoffDocument,
  SetActiveSessionDocument,
  SignOutDocument,
  type SignInFieldsFragment,
  type SignUpFieldsFragment,
} from "./generated/graphql";
import { type AddressBar, browserAddressBar, takeHandoffCode } from "./handoff";
import { crossSiteProductionError, instanceKind, type InstanceKind, sameSite } from "./keys";
import { LiveSession } from "./live";
import { ClientResource } from "./resources/client";
import type { OrganizationResource } from "./resources/organization";
import type { SessionResource } from "./resources/session";
import type { UserResource } from "./resources/user";
import {
  type InitialState,
  type LatchkeySnapshot,
  type LatchkeyStatus,
  loadedSnapshot,
  loadingSnapshot,
  SnapshotStore,
} from "./state";
import { browserStorage, ClientTokenStore, type KeyValueStorage } from "./storage";
import { browserCoordinator, type TabCoordinator } from "./tokens/cross-tab";
import { type GetTokenOptions, TokenManager } from "./tokens/manager";
import { type Clock, systemClock } from "./tokens/timing";
import { type Document, Transport } from "./transport";
import type {
  ComponentName,
  ComponentPropsByName,
  CreateOrganizationProps,
  OrganizationProfileProps,
  OrganizationSwitcherProps,
  SignInProps,
  SignUpProps,
  UserButtonProps,
  UserProfileProps,
} from "./ui/props";

type Ui = typeof import("./ui/mount");

/** Options of `new Latchkey(publishableKey, options)`. */
export interface LatchkeyOptions {
  /** Where Latchkey is, such as `https://auth.example.com` (required: keys name no server). */
  apiUrl: string;
  /** What server rendering knew, so the first render agrees with it. */
  initialState?: InitialState;
  /** Hold the `sessionEvents` subscription for live updates (default `true`). */
  liveUpdates?: boolean;
  /** Replaces `fetch` (tests, other runtimes). */
  fetch?: typeof fetch;
  /** Where a development instance's client token is kept (default `localStorage`). */
  storage?: KeyValueStorage;
  /** Replaces the clock of the token logic (tests). */
  clock?: Clock;
  /** Replaces the cross-tab coordination (tests). */
  coordinator?: TabCoordinator;
  /** A WebSocket constructor where there is no global one. */
  webSocketImpl?: unknown;
  /** Where a handoff code is read from and removed (default: the page's address bar). */
  addressBar?: AddressBar;
  /** How the SDK sends the browser elsewhere (default: `location.assign`). */
  navigate?: (url: string) => void;
}

/** Where a sign-in or sign-up page of the Account Portal sends the browser afterwards. */
export interface PortalUrlOptions {
  /** Where to come back to (default: the current page). */
  redirectUrl?: string;
}

/** What `setActive` takes: a session (or its id; `null` signs out) and an organization (or its id; `null` for none). */
export interface SetActiveParams {
  session?: SessionResource | string | null;
  organization?: OrganizationResource | string | null;
}

/** What the instance offers its frontends (`environment`), read once by `load()`. */
export type EnvironmentData = EnvironmentQuery["environment"];

const idOf = (value: { id: string } | string | null): string | null =>
  value === null ? null : typeof value === "string" ? value : value.id;

/**
 * The browser SDK's entry point (Clerk's `Clerk` object): load it once, then read `client`,
 * `session`, `user` and `organization`, or subscribe with `addListener`. Every change makes one
 * new immutable snapshot (`getSnapshot()`), which is what React's `useSyncExternalStore` needs.
 *
 * ```js
 * const latchkey = new Latchkey("pk_test_…", { apiUrl: "http://127.0.0.1:8080" });
 * await latchkey.load();
 * const token = await latchkey.session?.getToken();
 * ```
 */
export class Latchkey {
  /** The instance's publishable key. */
  readonly publishableKey: string;
  /** The server's URL, without a trailing slash. */
  readonly apiUrl: string;
  /** `development` (`pk_test_…`) or `production` (`pk_live_…`). */
  readonly instanceKind: InstanceKind;
  readonly #store: SnapshotStore;
  readonly #initial: LatchkeySnapshot;
  readonly #transport: Transport;
  readonly #tokens: TokenManager;
  readonly #live: LiveSession | undefined;
  readonly #coordinator: TabCoordinator;
  readonly #clientTokens: ClientTokenStore;
  readonly #cookies = new CookieJar();
  readonly #core: Core;
  #client: ClientFieldsFragment | null = null;
  /** Signed-in users as their own session token reads them (with memberships), by id. */
  readonly #accounts = new Map<string, AccountFieldsFragment>();
  #loading: Promise<void> | undefined;
  #reloading: Promise<void> | undefined;
  #connected = true;
  #environment: EnvironmentData | null = null;
  #teardown: (() => void)[] = [];
  #ui: Promise<Ui> | undefined;
  readonly #addressBar: AddressBar | undefined;
  readonly #navigate: (url: string) => void;
  /** A handoff code taken from the address bar at construction, until `load()` redeems it. */
  #handoffCode: string | null;

  /** Makes the SDK for one instance; nothing is requested before `load()`. */
  constructor(publishableKey: string, options: LatchkeyOptions) {
    if (!options?.apiUrl) {
      throw new LatchkeyError("SDK_STATE", "apiUrl is required: a publishable key names no server");
    }
    this.publishableKey = publishableKey;
    this.apiUrl = options.apiUrl.replace(/\/+$/, "");
    this.instanceKind = instanceKind(publishableKey);
    this.#addressBar = options.addressBar ?? browserAddressBar();
    // At once, so that no other script on the page reads it in the address bar meanwhile.
    this.#handoffCode = takeHandoffCode(this.#addressBar);
    this.#navigate = options.navigate ?? ((url) => globalThis.location.assign(url));
    this.#initial = loadingSnapshot(options.initialState);
    this.#store = new SnapshotStore(this.#initial);
    this.#clientTokens = new ClientTokenStore(publishableKey, options.storage ?? browserStorage());
    this.#transport = new Transport({
      apiUrl: this.apiUrl,
      publishableKey,
      kind: this.instanceKind,
      clientTokens: this.#clientTokens,
      fetch: options.fetch ?? ((...args) => globalThis.fetch(...args)),
    });
    this.#coordinator = options.coordinator ?? browserCoordinator(publishableKey);
    this.#core = this.#makeCore();
    this.#tokens = new TokenManager({
      clock: options.clock ?? systemClock,
      coordinator: this.#coordinator,
      fetchToken: (sessionId, template) => this.#transport.createToken(sessionId, template),
      onSessionEnded: (sessionId) => this.#sessionEnded(sessionId),
      onToken: (_, token) =>
        this.#cookies.write(sessionCookie(token.jwt, token.expiresAt, this.#cookies.hostname)),
    });
    if (options.liveUpdates !== false) {
      this.#live = new LiveSession({
        apiUrl: this.apiUrl,
        publishableKey,
        webSocketImpl: options.webSocketImpl,
        clientToken: () => (this.instanceKind === "development" ? this.#clientTokens.get() : null),
        sessionToken: () => this.session?.getToken() ?? Promise.resolve(null),
        onChange: () => void this.reloadClient().catch(() => undefined),
        onConnected: (connected) => {
          if (this.#connected === connected) return;
          this.#connected = connected;
          this.#publish();
        },
      });
    }
  }

  /** Whether `load()` has finished. */
  get loaded(): boolean {
    return this.#store.get().loaded;
  }
  /** `loading`, `ready`, `degraded` (live updates down) or `error`. */
  get status(): LatchkeyStatus {
    return this.#store.get().status;
  }
  /** This browser's client; `undefined` until loaded. */
  get client(): ClientResource | undefined {
    return this.#store.get().client;
  }
  /** The active session; `undefined` until loaded, `null` when signed out. */
  get session(): SessionResource | null | undefined {
    return this.#store.get().session;
  }
  /** The signed-in user; `undefined` until loaded, `null` when signed out. */
  get user(): UserResource | null | undefined {
    return this.#store.get().user;
  }
  /** The active organization; `undefined` until loaded, `null` when there is none. */
  get organization(): OrganizationResource | null | undefined {
    return this.#store.get().organization;
  }
  /**
   * What the instance offers (`environment`: its id, issuer and Account Portal, sign-up and
   * password policy, factors, multi-session, …), read once by `load()`; `null` before.
   */
  get environment(): EnvironmentData | null {
    return this.#environment;
  }

  /** The current snapshot: the same object until something changes. */
  readonly getSnapshot = (): LatchkeySnapshot => this.#store.get();

  /**
   * The snapshot made at construction (loading, with the initial state): what server rendering
   * rendered, so hydration renders the same (`useSyncExternalStore`'s `getServerSnapshot`).
   */
  readonly getInitialSnapshot = (): LatchkeySnapshot => this.#initial;

  /** Calls `listener` with the new snapshot on every change; returns the way to stop. */
  addListener(listener: (snapshot: LatchkeySnapshot) => void): () => void {
    return this.#store.subscribe(listener);
  }

  /**
   * Loads the client (its sessions, user and organizations) and starts keeping the session's
   * token fresh and the live updates. Safe to call more than once. A production key on a page of
   * another site than `apiUrl` fails with `CROSS_SITE_PRODUCTION`.
   */
  load(): Promise<void> {
    if (!this.#loading) {
      const loading = this.#load();
      this.#loading = loading;
      // A failed load may be tried again.
      loading.catch(() => {
        if (this.#loading === loading) this.#loading = undefined;
      });
    }
    return this.#loading;
  }

  async #load(): Promise<void> {
    try {
      const page = typeof location !== "undefined" ? location.href : undefined;
      if (
        this.instanceKind === "production" &&
        page?.startsWith("http") &&
        !sameSite(page, this.apiUrl)
      ) {
        throw crossSiteProductionError(page, this.apiUrl);
      }
      // The environment once per SDK: a failed load tried again reuses it.
      const [client, environment] = await Promise.all([
        this.#loadClient(),
        this.#environment ??
          this.#transport.request(EnvironmentDocument, {}).then((d) => d.environment),
      ]);
      this.#environment = environment;
      this.#listenToBrowser();
      await this.#adopt(client);
    } catch (error) {
      const failure =
        error instanceof LatchkeyError
          ? error
          : new LatchkeyError("INTERNAL", String(error), { cause: error });
      this.#store.set(loadingSnapshot(undefined, failure));
      throw failure;
    }
  }

  /**
   * The client: on a development instance, the handoff code the address bar had (a redirect back
   * from the Account Portal; taken out at construction) is redeemed for the portal's client, whose token the transport then
   * keeps; a code that is used or expired (a reload) is passed over. Else the kept client.
   */
  async #loadClient(): Promise<ClientFieldsFragment | null> {
    const code = this.#handoffCode;
    this.#handoffCode = null;
    if (code !== null && this.instanceKind === "development") {
      try {
        const data = await this.#transport.request(RedeemHandoffDocument, { code });
        this.#coordinator.publish({ type: "client-changed" });
        return data.redeemHandoff;
      } catch (error) {
        if (!(error instanceof LatchkeyError) || error.code !== "NOT_FOUND") throw error;
      }
    }
    return (await this.#transport.request(ClientDocument, {})).client;
  }

  /**
   * Sends the browser to `url` after a sign-in on this page: the server checks it against the
   * instance's allowed origins (`VALIDATION_FAILED` otherwise) and, when a development app on
   * another origin must take over this client, adds a one-time handoff code that the app's SDK
   * redeems.
   */
  async redirectTo(url: string): Promise<void> {
    const data = await this.#transport.request(CreateHandoffDocument, { redirectUrl: url });
    this.#navigate(data.createHandoff.url);
  }

  /** The Account Portal's sign-in page, coming back to `redirectUrl` (default: this page). */
  buildSignInUrl(options: PortalUrlOptions = {}): string {
    return this.#portalUrl("sign-in", options);
  }

  /** The Account Portal's sign-up page, coming back to `redirectUrl` (default: this page). */
  buildSignUpUrl(options: PortalUrlOptions = {}): string {
    return this.#portalUrl("sign-up", options);
  }

  /** The Account Portal's page of the signed-in user's account. */
  buildUserProfileUrl(): string {
    return this.#portalUrl("user", {});
  }

  /** Sends the browser to the Account Portal's sign-in page (see `buildSignInUrl`). */
  redirectToSignIn(options: PortalUrlOptions = {}): void {
    this.#navigate(this.buildSignInUrl(options));
  }

  /** Sends the browser to the Account Portal's sign-up page (see `buildSignUpUrl`). */
  redirectToSignUp(options: PortalUrlOptions = {}): void {
    this.#navigate(this.buildSignUpUrl(options));
  }

  #portalUrl(page: string, options: PortalUrlOptions): string {
    const base = this.#environment?.accountPortalUrl;
    if (!base) throw new LatchkeyError("SDK_STATE", "load() first: the portal's URL comes with it");
    const url = new URL(`${base}/${page}`);
    const back = options.redirectUrl ?? this.#addressBar?.location.href;
    if (back && page !== "user") url.searchParams.set("redirect_url", back);
    return url.toString();
  }

  #listenToBrowser(): void {
    const wake = () => {
      this.#tokens.refreshKept();
      this.#live?.revive();
    };
    const visible = () => {
      if (document.visibilityState === "visible") wake();
    };
    if (typeof window !== "undefined" && typeof window.addEventListener === "function") {
      window.addEventListener("focus", wake);
      document.addEventListener("visibilitychange", visible);
      this.#teardown.push(() => {
        window.removeEventListener("focus", wake);
        document.removeEventListener("visibilitychange", visible);
      });
    }
    this.#teardown.push(
      this.#coordinator.subscribe((message) => {
        if (message.type === "client-changed") void this.reloadClient().catch(() => undefined);
      }),
    );
  }

  /** Reads the client again from the server (concurrent calls share one request). */
  reloadClient(): Promise<void> {
    this.#reloading ??= this.#transport
      .request(ClientDocument, {})
      .then((data) => this.#adopt(data.client))
      .finally(() => {
        this.#reloading = undefined;
      });
    return this.#reloading;
  }

  /**
   * Makes a session (and an organization in it) active: `session` defaults to the active one,
   * `organization` to the session's current one (`null` for none). `{session: null}` signs out.
   */
  async setActive(params: SetActiveParams): Promise<void> {
    if (params.session === null) return this.signOut();
    const sessionId =
      params.session === undefined ? (this.session?.id ?? null) : idOf(params.session);
    if (sessionId === null)
      throw new LatchkeyError("SDK_STATE", "setActive: no session to make active");
    const organizationId =
      params.organization !== undefined
        ? idOf(params.organization)
        : (this.#client?.sessions.find((s) => s.id === sessionId)?.lastActiveOrganizationId ??
          null);
    const data = await this.#transport.request(SetActiveSessionDocument, {
      sessionId,
      organizationId,
    });
    // The organization is in the token's claims: the cached one is out of date.
    this.#tokens.forget(sessionId);
    await this.#adopt(data.setActiveSession);
    this.#coordinator.publish({ type: "client-changed" });
  }

  /** Signs out of one session, or of every session of this client when none is named. */
  async signOut(params: { sessionId?: string } = {}): Promise<void> {
    const data = await this.#transport.request(SignOutDocument, {
      sessionId: params.sessionId ?? null,
    });
    for (const session of this.#client?.sessions ?? []) {
      if (params.sessionId === undefined || params.sessionId === session.id)
        this.#tokens.forget(session.id);
    }
    this.#applyClient(data.signOut);
    this.#coordinator.publish({ type: "client-changed" });
  }

  /** Stops timers, listeners and the live connection (a page that drops the SDK). */
  destroy(): void {
    for (const undo of this.#teardown.splice(0)) undo();
    this.#tokens.close();
    this.#live?.close();
    this.#coordinator.close();
  }

  // The prebuilt components (ui/): loaded on first use, rendered in a shadow root of the element.
  // Mounting again on the same element updates the props; each re-renders on every snapshot.

  #withUi(use: (ui: Ui) => void): void {
    if (typeof document === "undefined") return;
    this.#ui ??= import("./ui/mount");
    this.#ui.then(use).catch((error: unknown) => console.error("Latchkey components:", error));
  }
  #mount<N extends ComponentName>(name: N, el: HTMLElement, props?: ComponentPropsByName[N]) {
    this.#withUi((ui) => ui.mountComponent(this, name, el, props ?? {}));
  }
  #unmount(el: HTMLElement) {
    this.#withUi((ui) => ui.unmountComponent(el));
  }
  #open<N extends ComponentName>(name: N, props?: ComponentPropsByName[N]) {
    this.#withUi((ui) => ui.openComponent(this, name, props ?? {}));
  }
  #close(name: ComponentName) {
    this.#withUi((ui) => ui.closeComponent(name));
  }

  /** Renders `<SignIn/>` into `el` (again: updates its props). */
  mountSignIn(el: HTMLElement, props?: SignInProps): void {
    this.#mount("SignIn", el, props);
  }
  /** Removes the `<SignIn/>` mounted on `el`. */
  unmountSignIn(el: HTMLElement): void {
    this.#unmount(el);
  }
  /** Opens `<SignIn/>` in a modal. */
  openSignIn(props?: SignInProps): void {
    this.#open("SignIn", props);
  }
  /** Closes the `<SignIn/>` modal; the focus goes back to what opened it. */
  closeSignIn(): void {
    this.#close("SignIn");
  }
  /** Renders `<SignUp/>` into `el` (again: updates its props). */
  mountSignUp(el: HTMLElement, props?: SignUpProps): void {
    this.#mount("SignUp", el, props);
  }
  /** Removes the `<SignUp/>` mounted on `el`. */
  unmountSignUp(el: HTMLElement): void {
    this.#unmount(el);
  }
  /** Opens `<SignUp/>` in a modal. */
  openSignUp(props?: SignUpProps): void {
    this.#open("SignUp", props);
  }
  /** Closes the `<SignUp/>` modal; the focus goes back to what opened it. */
  closeSignUp(): void {
    this.#close("SignUp");
  }
  /** Renders `<UserButton/>` (avatar and account menu) into `el`. */
  mountUserButton(el: HTMLElement, props?: UserButtonProps): void {
    this.#mount("UserButton", el, props);
  }
  /** Removes the `<UserButton/>` mounted on `el`. */
  unmountUserButton(el: HTMLElement): void {
    this.#unmount(el);
  }
  /** Renders `<UserProfile/>` into `el`. */
  mountUserProfile(el: HTMLElement, props?: UserProfileProps): void {
    this.#mount("UserProfile", el, props);
  }
  /** Removes the `<UserProfile/>` mounted on `el`. */
  unmountUserProfile(el: HTMLElement): void {
    this.#unmount(el);
  }
  /** Opens `<UserProfile/>` in a modal. */
  openUserProfile(props?: UserProfileProps): void {
    this.#open("UserProfile", props);
  }
  /** Closes the `<UserProfile/>` modal. */
  closeUserProfile(): void {
    this.#close("UserProfile");
  }
  /** Renders `<OrganizationSwitcher/>` into `el`. */
  mountOrganizationSwitcher(el: HTMLElement, props?: OrganizationSwitcherProps): void {
    this.#mount("OrganizationSwitcher", el, props);
  }
  /** Removes the `<OrganizationSwitcher/>` mounted on `el`. */
  unmountOrganizationSwitcher(el: HTMLElement): void {
    this.#unmount(el);
  }
  /** Renders `<OrganizationProfile/>` (the active organization) into `el`. */
  mountOrganizationProfile(el: HTMLElement, props?: OrganizationProfileProps): void {
    this.#mount("OrganizationProfile", el, props);
  }
  /** Removes the `<OrganizationProfile/>` mounted on `el`. */
  unmountOrganizationProfile(el: HTMLElement): void {
    this.#unmount(el);
  }
  /** Opens `<OrganizationProfile/>` in a modal. */
  openOrganizationProfile(props?: OrganizationProfileProps): void {
    this.#open("OrganizationProfile", props);
  }
  /** Closes the `<OrganizationProfile/>` modal. */
  closeOrganizationProfile(): void {
    this.#close("OrganizationProfile");
  }
  /** Renders `<CreateOrganization/>` into `el`. */
  mountCreateOrganization(el: HTMLElement, props?: CreateOrganizationProps): void {
    this.#mount("CreateOrganization", el, props);
  }
  /** Removes the `<CreateOrganization/>` mounted on `el`. */
  unmountCreateOrganization(el: HTMLElement): void {
    this.#unmount(el);
  }
  /** Opens `<CreateOrganization/>` in a modal. */
  openCreateOrganization(props?: CreateOrganizationProps): void {
    this.#open("CreateOrganization", props);
  }
  /** Closes the `<CreateOrganization/>` modal. */
  closeCreateOrganization(): void {
    this.#close("CreateOrganization");
  }

  /** Token requests this tab made (for tests and benchmarks). */
  get tokenRequests(): number {
    return this.#tokens.requests;
  }

  #publish(): void {
    if (!this.#store.get().loaded) return;
    const status = this.#connected || this.#live === undefined ? "ready" : "degraded";
    this.#store.set(
      loadedSnapshot(new ClientResource(this.#core, this.#withAccounts(this.#client)), status),
    );
  }

  /**
   * Applies a client read from the server, after reading its signed-in user's account (their
   * memberships, which only their session token may read), so the snapshot never shows the
   * user without their organization. A failed read leaves the account as last known.
   */
  async #adopt(client: ClientFieldsFragment | null): Promise<void> {
    const session = client?.sessions.find(
      (s) => s.id === client.lastActiveSessionId && s.status === "ACTIVE",
    );
    if (session?.user) {
      try {
        const token = await this.#tokens.getToken(session.id);
        const data = await this.#transport.request(MeDocument, {}, token);
        this.#accounts.set(data.me.id, data.me);
      } catch {
        // A token refused ends the session through the token manager; anything else: go on.
      }
    }
    this.#applyClient(client);
  }

  /** The client with each signed-in user's account in place of what a client may read. */
  #withAccounts(client: ClientFieldsFragment | null): ClientFieldsFragment | null {
    if (!client) return null;
    return {
      ...client,
      sessions: client.sessions.map((s) => {
        const account = s.user ? this.#accounts.get(s.user.id) : undefined;
        return account ? { ...s, user: account } : s;
      }),
    };
  }

  #applyClient(client: ClientFieldsFragment | null): void {
    const before = this.#store.get().auth.sessionId;
    this.#client = client;
    const status = this.#connected || this.#live === undefined ? "ready" : "degraded";
    const snapshot = loadedSnapshot(
      new ClientResource(this.#core, this.#withAccounts(client)),
      status,
    );
    this.#store.set(snapshot);
    const session = snapshot.session ?? null;
    this.#tokens.keep(session?.id ?? null);
    this.#live?.watch(snapshot.user?.id);
    const host = this.#cookies.hostname;
    if (session === null) {
      if (before !== null) {
        this.#cookies.write(sessionCookie(null, 0, host));
        this.#cookies.write(clientUatCookie(0, host));
      }
    } else if (before !== session.id) {
      this.#cookies.write(clientUatCookie(session.createdAt.getTime() / 1000, host));
    }
  }

  #sessionEnded(sessionId: string): void {
    // Signed out at once, on what the server said; the client read again says how it ended.
    if (this.#client) {
      this.#applyClient({
        ...this.#client,
        sessions: this.#client.sessions.map((s) =>
          s.id === sessionId ? { ...s, status: "ENDED" } : s,
        ),
      });
    }
    void this.reloadClient().catch(() => undefined);
  }

  #makeCore(): Core {
    const transport = () => this.#transport;
    return {
      asClient: (document, variables) => transport().request(document, variables),
      asUser: async <TResult, TVariables>(
        document: Document<TResult, TVariables>,
        variables: TVariables,
      ) => {
        const session = this.session;
        if (!session) throw new LatchkeyError("SDK_STATE", "no signed-in session: sign in first");
        const token = await this.#core.getToken(session.id);
        if (token === null)
          throw new LatchkeyError("SESSION_NOT_ACTIVE", "the session is not active");
        return transport().request(document, variables, token);
      },
      getToken: async (sessionId, options?: GetTokenOptions) => {
        const active = this.#client?.sessions.some(
          (s) => s.id === sessionId && s.status === "ACTIVE",
        );
        return active ? this.#tokens.getToken(sessionId, options) : null;
      },
      applyClient: (client) => this.#applyClient(client),
      applySignIn: (signIn) => this.#applyFlow({ signIn }, signIn),
      applySignUp: (signUp) => this.#applyFlow({ signUp }, signUp),
      applyUser: (user) => this.#applyUser(user),
      reloadClient: () => this.reloadClient(),
    };
  }

  async #applyFlow(
    change: { signIn?: SignInFieldsFragment; signUp?: SignUpFieldsFragment },
    flow: { createdSessionId: string | null },
  ): Promise<void> {
    // A new client (the first step made it) or a new session: read the client whole.
    if (this.#client === null || flow.createdSessionId !== null) {
      await this.reloadClient();
      if (flow.createdSessionId !== null) this.#coordinator.publish({ type: "client-changed" });
      return;
    }
    this.#applyClient({ ...this.#client, ...change });
  }

  #applyUser(user: AccountFieldsFragment): void {
    this.#accounts.set(user.id, user);
    if (this.#client) this.#applyClient(this.#client);
  }
}
