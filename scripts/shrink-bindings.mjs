// Shrinks the bindings of a bundle Trunk made (the website widget's): its wasm's imports
// get short names in the wasm and the JavaScript alike (scripts/short-imports.mjs) and
// esbuild minifies the JavaScript; both are renamed by their new content's hash.
// Usage: node scripts/shrink-bindings.mjs DIST_DIR STEM (the crate's binary name)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { minify, nameHash, replaceBindings, trunkName } from "./bundle-files.mjs";
import { shortImports } from "./short-imports.mjs";

const [dist, stem] = process.argv.slice(2);
if (!dist || !stem) throw new Error("usage: node scripts/shrink-bindings.mjs DIST_DIR STEM");
const old = trunkName(dist, stem);
const short = shortImports(readFileSync(join(dist, `${old}_bg.wasm`)), readFileSync(join(dist, `${old}.js`), "utf8"), `./${stem}_bg.js`);
const js = minify(short.bindings, "js");
replaceBindings(dist, old, `${stem}-${nameHash(short.wasm, js)}`, js, short.wasm);
