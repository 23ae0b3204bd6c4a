// Builds tagway.js: the minified script the gateway serves (app/sdk/tagway.min.js, committed so that a clone
// serves it without Node) and the ES module for bundlers (dist/index.mjs).
// `node build.mjs --out DIR` writes both into DIR instead (the test that the committed file is not stale).
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
const at = process.argv.indexOf("--out");
const out = at > 0 ? process.argv[at + 1] : null;
const common = { bundle: true, define: { __VERSION__: JSON.stringify(version) }, target: "es2017", logLevel: "warning" };

await build({
  ...common,
  entryPoints: [join(here, "src/browser.js")],
  outfile: out ? join(out, "tagway.min.js") : join(here, "../../app/sdk/tagway.min.js"),
  format: "iife",
  minify: true,
  legalComments: "none",
  banner: { js: `/*! tagway.js ${version} | Apache-2.0 */` },
});
await build({
  ...common,
  entryPoints: [join(here, "src/index.js")],
  outfile: out ? join(out, "index.mjs") : join(here, "dist/index.mjs"),
  format: "esm",
});
