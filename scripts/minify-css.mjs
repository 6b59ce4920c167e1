// Minifies the style sheets of a Trunk bundle with esbuild and names each after its new
// content's hash, in index.html too with its new integrity hash (Trunk's own minifying
// would also rewrite index.html, whose markup the server edits). Usage:
// node scripts/minify-css.mjs DIST_DIR
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { integrity, minify, nameHash } from "./bundle-files.mjs";

const dist = process.argv[2];
if (!dist) throw new Error("usage: node scripts/minify-css.mjs DIST_DIR");

let page = readFileSync(join(dist, "index.html"), "utf8");
for (const name of readdirSync(dist).filter((n) => /^[\w-]+-[0-9a-f]+\.css$/.test(n))) {
  const old = readFileSync(join(dist, name));
  const css = minify(old, "css");
  const renamed = name.replace(/[0-9a-f]+\.css$/, `${nameHash(css)}.css`);
  if (!page.includes(`/${name}"`) || !page.includes(integrity(old))) {
    throw new Error(`index.html does not link ${name} with its integrity hash`);
  }
  page = page.replaceAll(`/${name}"`, `/${renamed}"`).replaceAll(integrity(old), integrity(css));
  writeFileSync(join(dist, name), css);
  renameSync(join(dist, name), join(dist, renamed));
}
writeFileSync(join(dist, "index.html"), page);
