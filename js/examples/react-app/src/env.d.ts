/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The instance's publishable key (`pk_test_…`), from LATCHKEY_PUBLISHABLE_KEY. */
  readonly VITE_LATCHKEY_PUBLISHABLE_KEY: string;
  /** Where Latchkey is, from LATCHKEY_API_URL. */
  readonly VITE_LATCHKEY_API_URL: string;
}
