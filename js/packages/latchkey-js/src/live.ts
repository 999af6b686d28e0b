import { type Client as WsClient, createClient } from "graphql-ws";
import { SessionEventsDocument } from "./generated/graphql";

/** What the live connection needs from the `Latchkey` object. */
export interface LiveOptions {
  apiUrl: string;
  publishableKey: string;
  /** The kept client token (development instances), or `null`. */
  clientToken(): string | null;
  /** A fresh session token of the watched session; `null` when it is not active any more. */
  sessionToken(): Promise<string | null>;
  /** Something changed (an event, or the server closed the subscription): read the client again. */
  onChange(): void;
  /** The socket is up (`true`) or has given up retrying (`false`). */
  onConnected(connected: boolean): void;
  /** A WebSocket constructor where the global one is missing (tests in Node). */
  webSocketImpl?: unknown;
}

/** `ws://` or `wss://` for an `http(s)://` base URL, with `/graphql`. */
export function webSocketUrl(apiUrl: string): string {
  return `${apiUrl.replace(/^http/, "ws")}/graphql`;
}

/**
 * The signed-in user's `sessionEvents` subscription over graphql-ws: any session event of the
 * user (a revocation, a ban's revocations, a sign-out in another tab or on another device) and
 * the server ending the subscription (its session ended) make the SDK read its client again.
 */
export class LiveSession {
  private client: WsClient | undefined;
  private stop: (() => void) | undefined;
  private watching: string | undefined;
  private dead = false;

  /** A connection that does nothing until `watch`. */
  constructor(private readonly options: LiveOptions) {}

  /** Watches `userId`'s sessions (`undefined` stops watching). Watching the same user again is a no-op. */
  watch(userId: string | undefined): void {
    if (userId === this.watching) return;
    this.close();
    this.watching = userId;
    if (userId === undefined) return;
    if (typeof WebSocket === "undefined" && !this.options.webSocketImpl) return;
    const { options } = this;
    this.client = createClient({
      url: webSocketUrl(options.apiUrl),
      webSocketImpl: options.webSocketImpl,
      lazy: true,
      retryAttempts: 8,
      connectionParams: async () => {
        const token = await options.sessionToken();
        const params: Record<string, string> = { publishableKey: options.publishableKey };
        const client = options.clientToken();
        if (client) params["client"] = client;
        if (token) params["authorization"] = `Bearer ${token}`;
        return params;
      },
      on: {
        connected: () => options.onConnected(true),
        closed: () => options.onConnected(false),
      },
    });
    this.stop = this.client.subscribe(
      { query: SessionEventsDocument.toString(), variables: { userId } },
      {
        next: () => options.onChange(),
        // The server ends a session token's subscription (4403) when its session ends.
        error: () => this.died(),
        complete: () => this.died(),
      },
    );
  }

  private died(): void {
    this.dead = true;
    this.options.onConnected(false);
    this.options.onChange();
  }

  /** Subscribes again after the subscription ended or the socket gave up (on focus). */
  revive(): void {
    if (!this.dead || this.watching === undefined) return;
    const userId = this.watching;
    this.close();
    this.watch(userId);
  }

  /** Stops the subscription and closes the socket. */
  close(): void {
    this.stop?.();
    this.stop = undefined;
    void this.client?.dispose();
    this.client = undefined;
    this.watching = undefined;
    this.dead = false;
  }
}
