// Writes brotli (.br, quality 11) and gzip (.gz) copies of a Trunk bundle's wasm, JS and
// CSS, which the server sends to browsers that accept them instead of compressing each
// request. Usage: node scripts/precompress.mjs DIST_DIR...
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

for (const dir of process.argv.slice(2)) {
  for (const name of readdirSync(dir)) {
    if (!/\.(wasm|js|css)$/.test(name)) continue;
    const file = join(dir, name);
    const body = readFileSync(file);
    writeFileSync(`${file}.br`, brotliCompressSync(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }));
    writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
  }
}
