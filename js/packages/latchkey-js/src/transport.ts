import { errorFromBody, LatchkeyError, networkError } from "./errors";
import type { InstanceKind } from "./keys";
import type { ClientTokenStore } from "./storage";

/** A GraphQL document whose result and variables types are known (codegen's). */
export interface Document<TResult, TVariables> {
  toString(): string;
  /** Carried by the type only. */
  __apiType?: (variables: TVariables) => TResult;
}

/** A session token as the server hands it out. */
export interface SessionTokenAnswer {
  jwt: string;
  /** RFC 3339. */
  expiresAt: string;
}

/** What the transport needs to know. */
export interface TransportConfig {
  apiUrl: string;
  publishableKey: string;
  kind: InstanceKind;
  clientTokens: ClientTokenStore;
  fetch: typeof fetch;
}

/**
 * Speaks to the server: GraphQL over `fetch` (`POST {apiUrl}/graphql`, JSON) and the token
 * endpoint. Every request carries the publishable key and `credentials: "include"` (the
 * instance's cookie); a development instance's requests also carry the kept client token, and
 * a client token in an answer's `Latchkey-Client` header is kept.
 */
export class Transport {
  /** A transport for one instance at one server. */
  constructor(private readonly config: TransportConfig) {}

  /** The server's base URL, without a trailing slash. */
  get apiUrl(): string {
    return this.config.apiUrl;
  }

  private headers(bearer: string | undefined): Record<string, string> {
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "Latchkey-Publishable-Key": this.config.publishableKey,
    };
    if (this.config.kind === "development") {
      const client = this.config.clientTokens.get();
      if (client) headers["Latchkey-Client"] = client;
    }
    if (bearer) headers["Authorization"] = `Bearer ${bearer}`;
    return headers;
  }

  private async post(url: string, body: string, bearer?: string): Promise<[Response, unknown]> {
    let response: Response;
    try {
      response = await this.config.fetch(url, {
        method: "POST",
        headers: this.headers(bearer),
        body,
        credentials: "include",
      });
    } catch (cause) {
      throw networkError(url, cause);
    }
    const client = response.headers.get("latchkey-client");
    if (client && this.config.kind === "development") this.config.clientTokens.set(client);
    let json: unknown = undefined;
    try {
      json = await response.json();
    } catch {
      // Not JSON: judged by the status below.
    }
    return [response, json];
  }

  /**
   * Runs one operation and returns its `data`; any error in the answer is thrown as a
   * `LatchkeyError`. `bearer` (a session token) makes it a signed-in user's request.
   */
  async request<TResult, TVariables>(
    document: Document<TResult, TVariables>,
    variables: TVariables,
    bearer?: string,
  ): Promise<TResult> {
    const url = `${this.config.apiUrl}/graphql`;
    const body = JSON.stringify({ query: document.toString(), variables });
    const [response, json] = await this.post(url, body, bearer);
    const error = errorFromBody(json, response.status, response.headers);
    if (error) throw error;
    const data = (json as { data?: unknown } | undefined)?.data;
    if (!response.ok || data === undefined || data === null) {
      throw new LatchkeyError(
        "UNEXPECTED_RESPONSE",
        `${url} answered ${response.status} without data`,
        {
          status: response.status,
        },
      );
    }
    return data as TResult;
  }

  /**
   * A session token from the token endpoint (`POST {apiUrl}/v1/client/sessions/{id}/tokens`, or
   * `…/tokens/{template}`), with the same credentials as GraphQL. An error answer is thrown as
   * its `LatchkeyError` (`SESSION_NOT_ACTIVE`, `UNAUTHENTICATED`, `RATE_LIMITED`, …); no answer
   * as `NETWORK_ERROR`.
   */
  async createToken(sessionId: string, template?: string): Promise<SessionTokenAnswer> {
    const path = `/v1/client/sessions/${encodeURIComponent(sessionId)}/tokens${
      template ? `/${encodeURIComponent(template)}` : ""
    }`;
    const url = `${this.config.apiUrl}${path}`;
    const [response, json] = await this.post(url, "{}");
    const error = errorFromBody(json, response.status, response.headers);
    if (error) throw error;
    const answer = json as Partial<SessionTokenAnswer> | undefined;
    if (response.ok && typeof answer?.jwt === "string" && typeof answer.expiresAt === "string") {
      return { jwt: answer.jwt, expiresAt: answer.expiresAt };
    }
    throw new LatchkeyError(
      "UNEXPECTED_RESPONSE",
      `${url} answered ${response.status} without a token`,
      { status: response.status },
    );
  }
}
