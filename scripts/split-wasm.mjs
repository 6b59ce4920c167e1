// Cuts the operator app's wasm into the inbox and the parts downloaded on demand
// (src/on_demand.rs), as cargo-leptos does for Leptos's `#[lazy]`: wasm-split on the
// linked wasm (built with `--cfg el_split -Clink-args=--emit-relocs`), wasm-bindgen on
// its main part (its imports renamed short, scripts/short-imports.mjs), wasm-opt on
// every part, esbuild on the JavaScript; then it replaces the bundle Trunk made in
// DIST_DIR. Every file is named by its content's hash (the server caches such names for
// a year) and index.html gets the new names and integrity hashes.
// Usage: node scripts/split-wasm.mjs DIST_DIR LINKED_WASM
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shortImports } from "./short-imports.mjs";

const [dist, linked] = process.argv.slice(2);
if (!dist || !linked) throw new Error("usage: node scripts/split-wasm.mjs DIST_DIR LINKED_WASM");

const run = (tool, args) => execFileSync(tool, args, { stdio: ["ignore", "ignore", "inherit"] });
const digest = (algorithm, ...parts) => parts.reduce((h, p) => h.update(p), createHash(algorithm));
/** A 16-hex-digit name hash, as Trunk makes them. */
const nameHash = (...parts) => digest("sha256", ...parts).digest("hex").slice(0, 16);
const integrity = (bytes) => `sha384-${digest("sha384", bytes).digest("base64")}`;
/** `from` optimised for size without names (they only grow the download). */
const optimize = (from, to) =>
  run("wasm-opt", ["-Oz", "--strip-debug", "--strip-producers", "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int", from, "-o", to]);

/** `js` (an ES module) minified. */
const minify = (js) =>
  execFileSync("esbuild", ["--minify", "--format=esm", "--loader=js", "--log-level=error"], { input: js }).toString();

const trunkJs = readdirSync(dist).find((n) => /^external-lines-[0-9a-f]+\.js$/.test(n));
if (!trunkJs) throw new Error(`no Trunk bundle in ${dist}`);
const trunkName = trunkJs.slice(0, -".js".length);
const work = mkdtempSync(join(tmpdir(), "el-split-"));
try {
  const split = join(work, "split");
  run("wasm-split-cli", [linked, split, "--out-name", "main"]);
  run("wasm-bindgen", ["--target=web", "--no-typescript", "--keep-lld-exports", "--no-demangle",
    "--out-name=main", `--out-dir=${work}`, join(split, "main.wasm")]);
  const short = shortImports(readFileSync(join(work, "main_bg.wasm")), readFileSync(join(work, "main.js"), "utf8"), "./main_bg.js");
  writeFileSync(join(work, "main_bg.wasm"), short.wasm);
  optimize(join(work, "main_bg.wasm"), join(work, "main.opt.wasm"));
  const wasm = readFileSync(join(work, "main.opt.wasm"));
  const glue = minify(short.bindings);
  const name = `external-lines-${nameHash(wasm, glue)}`;

  let loader = readFileSync(join(split, "__wasm_split.js"), "utf8")
    .replaceAll('"./main.js"', `"./${name}.js"`);
  const parts = readdirSync(split).filter((n) => n.endsWith(".wasm") && n !== "main.wasm");
  for (const part of parts) {
    const optimized = join(work, `part-${part}`);
    optimize(join(split, part), optimized);
    const bytes = readFileSync(optimized);
    const hashed = `${part.slice(0, -".wasm".length)}-${nameHash(bytes)}.wasm`;
    writeFileSync(join(dist, hashed), bytes);
    if (!loader.includes(`"./${part}"`)) throw new Error(`__wasm_split.js does not load ${part}`);
    loader = loader.replaceAll(`"./${part}"`, `"./${hashed}"`);
  }
  loader = minify(loader);
  const loaderName = `__wasm_split-${nameHash(loader)}.js`;
  writeFileSync(join(dist, loaderName), loader);
  // Only the imports of the loader: the wasm's imports from it keep their module name.
  const js = glue.replace(/(\bfrom\s*)"\.\/__wasm_split\.js"/g, `$1"./${loaderName}"`);
  if (!js.includes(`"./${loaderName}"`)) throw new Error("the bindings do not import the loader");

  for (const old of [`${trunkName}.js`, `${trunkName}_bg.wasm`]) rmSync(join(dist, old));
  writeFileSync(join(dist, `${name}.js`), js);
  writeFileSync(join(dist, `${name}_bg.wasm`), wasm);
  const page = readFileSync(join(dist, "index.html"), "utf8")
    .replace(/(href="[^"]*\/)external-lines-[0-9a-f]+(\.js"[^>]*integrity=")[^"]*/, `$1${name}$2${integrity(js)}`)
    .replace(/(href="[^"]*\/)external-lines-[0-9a-f]+(_bg\.wasm"[^>]*integrity=")[^"]*/, `$1${name}$2${integrity(wasm)}`)
    .replaceAll(trunkName, name);
  for (const hash of [integrity(js), integrity(wasm)]) {
    // A page whose integrity hashes were left stale would load nothing.
    if (!page.includes(`integrity="${hash}"`)) throw new Error("index.html's links to the app were not updated");
  }
  writeFileSync(join(dist, "index.html"), page);
  console.log(`[split] ${name}: the inbox and ${parts.length} parts on demand`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
