// Cuts the operator app's wasm into the inbox and the parts downloaded on demand
// (src/on_demand.rs), as cargo-leptos does for Leptos's `#[lazy]`: wasm-split on the
// linked wasm (built with `--cfg el_split -Clink-args=--emit-relocs`), wasm-bindgen on
// its main part (imports and symbol-named exports renamed short, scripts/short-imports.mjs;
// classes nothing makes dropped, scripts/unused-classes.mjs), wasm-opt on every part,
// esbuild on the JavaScript; then it replaces the bundle Trunk made in DIST_DIR and moves
// the parts' style sheet out of the first screen's way. Every file is named by its
// content's hash (the server caches such names for a year) and index.html gets the new
// names and integrity hashes.
// Usage: node scripts/split-wasm.mjs DIST_DIR LINKED_WASM
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { minify, nameHash, replaceBindings, trunkName } from "./bundle-files.mjs";
import { shortImports, shortSymbolExports } from "./short-imports.mjs";
import { dropUnusedClasses } from "./unused-classes.mjs";

/** wasm-streams' adapters, linked in through Leptos's server functions, which the app does not use. */
const UNUSED_CLASSES = ["IntoUnderlyingByteSource", "IntoUnderlyingSink", "IntoUnderlyingSource"];

const [dist, linked] = process.argv.slice(2);
if (!dist || !linked) throw new Error("usage: node scripts/split-wasm.mjs DIST_DIR LINKED_WASM");

const run = (tool, args) => execFileSync(tool, args, { stdio: ["ignore", "ignore", "inherit"] });
/** `from` optimised for size without names (they only grow the download). */
const optimize = (from, to) =>
  run("wasm-opt", ["-Oz", "--strip-debug", "--strip-producers", "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int", from, "-o", to]);

/**
 * The files each part downloads: its own and the chunks it shares with others, which
 * wasm-split's loader names in a comment above each chunk's loader (`/* chat, live *\/`).
 */
function partFiles(loader, parts) {
  const files = {};
  for (const part of parts.filter((n) => n.startsWith("split_"))) files[part.slice(6, -5)] = [part];
  for (const [, users, chunk] of loader.matchAll(/\/\* ([a-z_, ]+) \*\/\s*const __(chunk_\d+)/g)) {
    for (const user of users.split(", ")) {
      if (!files[user]) throw new Error(`__wasm_split.js names an unknown part ${user}`);
      files[user].push(`${chunk}.wasm`);
    }
  }
  return files;
}

/**
 * Trunk links the parts' style sheet (style/pages.css) like the first screen's; this
 * names it as a part (`split_pages-…`) and moves its link into a `<template>`, which
 * the app puts in the page when a part first draws (src/part_styles.rs).
 */
function deferPartStyles() {
  const page = readFileSync(join(dist, "index.html"), "utf8");
  const link = page.match(/<link rel="stylesheet" href="\/(pages-[0-9a-f]+\.css)"[^>]*>/);
  if (!link) throw new Error("index.html does not link the parts' style sheet (style/pages.css)");
  const [tag, file] = link;
  renameSync(join(dist, file), join(dist, `split_${file}`));
  const template = `<template id="el-part-styles">${tag.replace(`/${file}"`, `/split_${file}"`)}</template>`;
  writeFileSync(join(dist, "index.html"), page.replace(tag, template));
}

/**
 * wasm-bindgen imports the loader once per use (`import * as import1` to `import5`, and
 * as many equal keys in the imports object, of which the last counts): one will do.
 */
function oneLoaderImport(bindings) {
  const [first, ...rest] = [...bindings.matchAll(/^import \* as (\w+) from "\.\/__wasm_split\.js"\n/gm)].map((m) => m[1]);
  let out = bindings;
  for (const alias of rest) {
    out = out.replace(`import * as ${alias} from "./__wasm_split.js"\n`, "")
      .replace(new RegExp(`\\n\\s*"\\./__wasm_split\\.js": ${alias},`), "");
  }
  if (!first || rest.some((alias) => new RegExp(`\\b${alias}\\b`).test(out))) {
    throw new Error("the bindings import the loader in a way scripts/split-wasm.mjs does not know");
  }
  return out;
}

const trunk = trunkName(dist, "external-lines");
const work = mkdtempSync(join(tmpdir(), "el-split-"));
try {
  const split = join(work, "split");
  run("wasm-split-cli", [linked, split, "--out-name", "main"]);
  run("wasm-bindgen", ["--target=web", "--no-typescript", "--keep-lld-exports", "--no-demangle",
    "--out-name=main", `--out-dir=${work}`, join(split, "main.wasm")]);
  const bound = shortImports(readFileSync(join(work, "main_bg.wasm")), readFileSync(join(work, "main.js"), "utf8"), "./main_bg.js");
  const used = dropUnusedClasses(bound.wasm, bound.bindings, UNUSED_CLASSES);
  const short = shortSymbolExports(used.wasm, used.bindings);
  writeFileSync(join(work, "main_bg.wasm"), short.wasm);
  optimize(join(work, "main_bg.wasm"), join(work, "main.opt.wasm"));
  const wasm = readFileSync(join(work, "main.opt.wasm"));
  const glue = minify(oneLoaderImport(short.bindings), "js");
  const name = `external-lines-${nameHash(wasm, glue)}`;

  let loader = readFileSync(join(split, "__wasm_split.js"), "utf8")
    .replaceAll('"./main.js"', `"./${name}.js"`);
  const parts = readdirSync(split).filter((n) => n.endsWith(".wasm") && n !== "main.wasm");
  const files = partFiles(loader, parts);
  for (const part of parts) {
    const optimized = join(work, `part-${part}`);
    optimize(join(split, part), optimized);
    const bytes = readFileSync(optimized);
    const hashed = `${part.slice(0, -".wasm".length)}-${nameHash(bytes)}.wasm`;
    writeFileSync(join(dist, hashed), bytes);
    if (!loader.includes(`"./${part}"`)) throw new Error(`__wasm_split.js does not load ${part}`);
    loader = loader.replaceAll(`"./${part}"`, `"./${hashed}"`);
    for (const list of Object.values(files)) list.forEach((f, i) => { if (f === part) list[i] = hashed; });
  }
  writeFileSync(join(dist, "parts.json"), JSON.stringify(files));
  loader = minify(loader, "js");
  const loaderName = `__wasm_split-${nameHash(loader)}.js`;
  writeFileSync(join(dist, loaderName), loader);
  // Only the imports of the loader: the wasm's imports from it keep their module name.
  const js = glue.replace(/(\bfrom\s*)"\.\/__wasm_split\.js"/g, `$1"./${loaderName}"`);
  if (!js.includes(`"./${loaderName}"`)) throw new Error("the bindings do not import the loader");
  replaceBindings(dist, trunk, name, js, wasm);
  deferPartStyles();
  console.log(`[split] ${name}: the inbox and ${parts.length} parts on demand`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
