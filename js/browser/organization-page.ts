// The page the organization components are mounted on (served by `host-page.ts`): its own light
// and dark background, and one element per component to mount on.
import { startHostPage } from "./host-page";

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Organizations</title><script src="/latchkey.js"></script>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 0; padding: 24px; background: #f4f4f5; color: #18181b; }
  @media (prefers-color-scheme: dark) { body { background: #09090b; color: #e4e4e7; } }
  main { display: flex; flex-direction: column; gap: 24px; align-items: flex-start; }
  /* Host CSS that would break unshielded components. */
  button, input, select { all: unset; font-size: 40px; color: red; }
</style></head>
<body><main>
  <h1>Organizations</h1>
  <div id="switcher"></div>
  <div id="create"></div>
  <div id="profile"></div>
</main></body></html>`;

/** Serves the page; resolves with its URL, origin and a stop. */
export function startOrganizationPage(): ReturnType<typeof startHostPage> {
  return startHostPage(PAGE);
}
