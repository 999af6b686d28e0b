import { LatchkeyProvider } from "@latchkey/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <LatchkeyProvider
      publishableKey={import.meta.env.VITE_LATCHKEY_PUBLISHABLE_KEY}
      apiUrl={import.meta.env.VITE_LATCHKEY_API_URL}
    >
      <App />
    </LatchkeyProvider>
  </StrictMode>,
);
