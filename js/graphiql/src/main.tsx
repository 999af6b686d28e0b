// The GraphiQL page the latchkey binary serves at GET /graphql. Bundled by
// `npm run build:assets` into api/assets/ (no CDN: the page loads nothing from another origin,
// and its Content-Security-Policy allows none).
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import "./page.css";
import { createRoot } from "react-dom/client";
import { latchkeyFetcher } from "./fetcher";
import { headerlessStorage } from "./storage";

/** The header editor's first text: where the backend's secret key goes. Never stored. */
const HEADERS_PLACEHOLDER = `{\n  "Authorization": "Bearer sk_…"\n}`;

/** The header editor's text as last edited: kept in memory only. */
let editorText = HEADERS_PLACEHOLDER;

const root = document.getElementById("graphiql");
if (root) {
  const socket = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/graphql`;
  createRoot(root).render(
    <GraphiQL
      fetcher={latchkeyFetcher(`${location.origin}/graphql`, socket, () => editorText)}
      defaultHeaders={HEADERS_PLACEHOLDER}
      onEditHeaders={(text) => {
        editorText = text;
      }}
      shouldPersistHeaders={false}
      storage={headerlessStorage(localStorage)}
      isHeadersEditorEnabled
      defaultEditorToolsVisibility="headers"
    />,
  );
}
