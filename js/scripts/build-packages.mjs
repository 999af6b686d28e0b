// Builds each publishable package into its dist/: one ES module (dependencies left as imports)
// and its type declarations.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const js = dirname(dirname(fileURLToPath(import.meta.url)));
for (const name of ["latchkey-js", "react", "backend", "express"]) {
  const dir = join(js, "packages", name);
  await build({
    entryPoints: [join(dir, "src", "index.ts")],
    outfile: join(dir, "dist", "index.js"),
    bundle: true,
    packages: "external",
    format: "esm",
    target: "es2020",
    jsx: "automatic",
    logLevel: "warning",
  });
  execFileSync(join(js, "node_modules", ".bin", "tsc"), ["-p", join(dir, "tsconfig.build.json")], {
    stdio: "inherit",
  });
  console.log(`built packages/${name}/dist`);
}
