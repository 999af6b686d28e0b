// The page UserButton and UserProfile are mounted on (served by `host-page.ts`): a header
// holding the button, a main area for the profile, and host CSS that would break unshielded
// components.
import { startHostPage } from "./host-page";

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Account</title><script src="/latchkey.js"></script>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 0; background: #f4f4f5; color: #18181b; }
  @media (prefers-color-scheme: dark) { body { background: #09090b; color: #e4e4e7; } }
  header { display: flex; justify-content: space-between; align-items: center; padding: 12px 24px; border-bottom: 1px solid #d4d4d8; }
  main { padding: 24px; }
  /* Host CSS that would break unshielded components. */
  button, input, h1, h2, ul, li { all: unset; font-size: 40px; color: red; }
</style></head>
<body>
  <header><strong>Acme app</strong><div id="user-button"></div></header>
  <main><div id="user-profile"></div></main>
</body></html>`;

/** Serves the page; resolves with its URL and a stop. */
export function startUserPage(): ReturnType<typeof startHostPage> {
  return startHostPage(PAGE);
}
