// The GraphiQL page the latchkey binary serves at GET /graphql. Bundled by
// `npm run build:assets` into api/assets/ (no CDN: the page loads nothing from another origin,
// and its Content-Security-Policy allows none).
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import "./page.css";
import { createRoot } from "react-dom/client";
import { latchkeyFetcher } from "./fetcher";

/** The header editor's first text: where the backend's secret key goes. Never stored. */
const HEADERS_PLACEHOLDER = `{\n  "Authorization": "Bearer sk_…"\n}`;

const root = document.getElementById("graphiql");
if (root) {
  const socket = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/graphql`;
  createRoot(root).render(
    <GraphiQL
      fetcher={latchkeyFetcher(`${location.origin}/graphql`, socket)}
      defaultHeaders={HEADERS_PLACEHOLDER}
      shouldPersistHeaders={false}
      isHeadersEditorEnabled
      defaultEditorToolsVisibility="headers"
    />,
  );
}
