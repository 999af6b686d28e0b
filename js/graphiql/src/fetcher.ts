import { createGraphiQLFetcher, type Fetcher, type FetcherOpts } from "@graphiql/toolkit";
import { introspectionQuery } from "./introspection";

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

/** The headers in the header editor's text (JSON), or none when it is not an object. */
export function parseHeaders(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** The typed headers, less any still holding the placeholder. */
export function typedHeaders(
  options: { headers?: Record<string, unknown> } | undefined,
): Record<string, string> {
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
 * over the WebSocket at `/graphql` (graphql-ws) with the typed headers as `connection_init`, and
 * the schema read with the header editor's headers (`editorText`) and an introspection query the
 * server's depth limit lets through.
 */
export function latchkeyFetcher(
  url: string,
  subscriptionUrl: string,
  editorText: () => string,
): Fetcher {
  const http = createGraphiQLFetcher({ url, enableIncrementalDelivery: false });
  return (params, options) => {
    const headers = typedHeaders(options);
    if (params.operationName === "IntrospectionQuery") {
      // GraphiQL 4 introspects without the header editor's headers: read them here.
      const typed = { ...typedHeaders({ headers: parseHeaders(editorText()) }), ...headers };
      return http({ ...params, query: introspectionQuery() }, { ...options, headers: typed });
    }
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
