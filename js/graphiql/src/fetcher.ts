import { createGraphiQLFetcher, type Fetcher, type FetcherOpts } from "@graphiql/toolkit";

/** The placeholder's value: a header still holding it is not sent. */
const PLACEHOLDER = /^Bearer sk_\u2026$/;

/** The `connection_init` names the server reads, for the header names a person types. */
const SOCKET_NAMES: Record<string, string> = {
  authorization: "authorization",
  "latchkey-publishable-key": "publishableKey",
  "latchkey-client": "client",
};

function isSubscription(
  options: FetcherOpts | undefined,
  operationName: string | null | undefined,
): boolean {
  return (options?.documentAST?.definitions ?? []).some(
    (d) =>
      d.kind === "OperationDefinition" &&
      d.operation === "subscription" &&
      (!operationName || d.name?.value === operationName),
  );
}

/** The typed headers, less any still holding the placeholder. */
export function typedHeaders(options: FetcherOpts | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options?.headers ?? {})) {
    if (typeof value === "string" && !PLACEHOLDER.test(value.trim())) headers[name] = value;
  }
  return headers;
}

/** The headers as a WebSocket's `connection_init` payload (`authorization`, `publishableKey`, `client`). */
export function socketParams(headers: Record<string, string>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    params[SOCKET_NAMES[name.toLowerCase()] ?? name] = value;
  }
  return params;
}

/**
 * GraphiQL's fetcher for Latchkey: queries and mutations over `POST /graphql`, subscriptions
 * over the WebSocket at `/graphql` (graphql-ws) with the typed headers as `connection_init`.
 */
export function latchkeyFetcher(url: string, subscriptionUrl: string): Fetcher {
  const http = createGraphiQLFetcher({ url, enableIncrementalDelivery: false });
  return (params, options) => {
    const headers = typedHeaders(options);
    if (!isSubscription(options, params.operationName))
      return http(params, { ...options, headers });
    const socket = createGraphiQLFetcher({
      url,
      subscriptionUrl,
      wsConnectionParams: socketParams(headers),
    });
    return socket(params, { ...options, headers: {} });
  };
}
