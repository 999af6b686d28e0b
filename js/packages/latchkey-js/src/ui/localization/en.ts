// The English table: one `export *` line per component's file in en/ (groups such as `signIn`).
export * from "./en/common";
export * from "./en/sign-in";
export * from "./en/sign-up";
export * from "./en/organization";
export * from "./en/user-button";
export * from "./en/user-profile";
