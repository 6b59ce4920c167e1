// What the scripts that finish a Trunk bundle share: names by content, integrity
// hashes, esbuild's minifying, and putting new bindings in place of Trunk's.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const digest = (algorithm, ...parts) => parts.reduce((h, p) => h.update(p), createHash(algorithm));
/** A 16-hex-digit name hash, as Trunk makes them. */
export const nameHash = (...parts) => digest("sha256", ...parts).digest("hex").slice(0, 16);
/** The `integrity` attribute's value for `bytes`. */
export const integrity = (bytes) => `sha384-${digest("sha384", bytes).digest("base64")}`;

/** `text` minified by esbuild; `loader` is "js" (an ES module) or "css". */
export const minify = (text, loader) =>
  execFileSync("esbuild", ["--minify", `--loader=${loader}`, "--log-level=error", ...(loader === "js" ? ["--format=esm"] : [])],
    { input: text }).toString();

/** The name (`stem-hash`) Trunk gave the bindings (`.js`) and wasm (`_bg.wasm`) of `dist`. */
export function trunkName(dist, stem) {
  const js = readdirSync(dist).find((n) => new RegExp(`^${stem}-[0-9a-f]+\\.js$`).test(n));
  if (!js) throw new Error(`no Trunk bundle ${stem} in ${dist}`);
  return js.slice(0, -".js".length);
}

/** Puts `js` and `wasm` in `dist` as `name.js` and `name_bg.wasm` instead of Trunk's
 * files named `old`, and in its index.html with their integrity hashes. */
export function replaceBindings(dist, old, name, js, wasm) {
  for (const file of [`${old}.js`, `${old}_bg.wasm`]) rmSync(join(dist, file));
  writeFileSync(join(dist, `${name}.js`), js);
  writeFileSync(join(dist, `${name}_bg.wasm`), wasm);
  const page = readFileSync(join(dist, "index.html"), "utf8")
    .replace(new RegExp(`(/)${old}(\\.js"[^>]*integrity=")[^"]*`), `$1${name}$2${integrity(js)}`)
    .replace(new RegExp(`(/)${old}(_bg\\.wasm"[^>]*integrity=")[^"]*`), `$1${name}$2${integrity(wasm)}`)
    .replaceAll(old, name);
  for (const hash of [integrity(js), integrity(wasm)]) {
    // A page whose integrity hashes were left stale would load nothing.
    if (!page.includes(`integrity="${hash}"`)) throw new Error(`${dist}/index.html's links to ${name} were not updated`);
  }
  writeFileSync(join(dist, "index.html"), page);
}
