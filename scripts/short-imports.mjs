// Short names for what a wasm file imports from its wasm-bindgen bindings. wasm-bindgen
// names each import after its function and a 16-digit hash (`__wbg_abort_968456626434218d`),
// and both the wasm and the bindings' JavaScript spell every name: about 7 KB of brotli
// in the app's first download that a minifier cannot shorten, since each file must keep
// the other's names. This gives them "a", "b", ... "aa", ... in both at once, and the
// same to the exports the bindings call by a Rust symbol (closures' trampolines).

/** Reads an unsigned LEB128 number of `bytes` at `at.p`, moving `at.p` past it. */
function readLeb(bytes, at) {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = bytes[at.p++];
    value += (byte & 0x7f) * 2 ** shift;
    if (!(byte & 0x80)) return value;
  }
}

/** `n` as an unsigned LEB128 number. */
function leb(n) {
  const out = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}

/** A wasm name: its length, then its UTF-8 bytes. */
const wasmName = (text) => {
  const bytes = Buffer.from(text);
  return Buffer.concat([leb(bytes.length), bytes]);
};

/** The `i`-th short name: a..z, A..Z, then two letters and so on. */
function shortName(i) {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let name = "";
  do {
    name += letters[i % letters.length];
    i = Math.floor(i / letters.length);
  } while (i);
  return name;
}

/**
 * `wasm` (bytes) with the body of its section `id` replaced by `rewrite(at)`, which reads
 * the body from `wasm` at `at.p` and returns the new body's bytes.
 */
function rewriteSection(wasm, id, rewrite) {
  const at = { p: 8 };
  const out = [wasm.subarray(0, 8)];
  while (at.p < wasm.length) {
    const start = at.p;
    const section = wasm[at.p++];
    const end = readLeb(wasm, at) + at.p;
    if (section === id) {
      const body = rewrite(at);
      out.push(Buffer.from([id]), leb(body.length), body);
    } else {
      out.push(wasm.subarray(start, end));
    }
    at.p = end;
  }
  return Buffer.concat(out);
}

/** The name (length and UTF-8 bytes) in `wasm` at `at.p`, moving `at.p` past it. */
function readName(wasm, at) {
  const length = readLeb(wasm, at);
  at.p += length;
  return wasm.subarray(at.p - length, at.p).toString();
}

/**
 * Renames the imports of `wasm` (bytes) from `module` to short names, and the same keys
 * of the import object in `bindings` (wasm-bindgen's JavaScript, where each is written
 * once as `name: function…`). Throws when a name is not found exactly once there.
 * Returns the new wasm bytes and bindings.
 */
export function shortImports(wasm, bindings, module) {
  let renamed = 0;
  const edited = rewriteSection(wasm, 2, (at) => {
    const count = readLeb(wasm, at);
    const entries = [leb(count)];
    for (let i = 0; i < count; i++) {
      const from = readName(wasm, at);
      const field = readName(wasm, at);
      const described = at.p;
      const kind = wasm[at.p++];
      if (kind === 0) readLeb(wasm, at); // a function: its type
      else if (kind === 1 || kind === 2) { // a table or a memory: (element type,) limits
        if (kind === 1) at.p++;
        const flags = wasm[at.p++];
        readLeb(wasm, at);
        if (flags & 1) readLeb(wasm, at);
      } else if (kind === 3) at.p += 2; // a global: its type and mutability
      else throw new Error(`an import of an unknown kind ${kind}`);
      let to = field;
      if (from === module) {
        to = shortName(renamed++);
        const key = new RegExp(`(?<=[\\s{,])${field}(?=\\s*:)`, "g");
        const found = bindings.match(key)?.length ?? 0;
        if (found !== 1) throw new Error(`the bindings name the import ${field} ${found} times, not once`);
        bindings = bindings.replace(key, to);
      }
      entries.push(wasmName(from), wasmName(to), wasm.subarray(described, at.p));
    }
    return Buffer.concat(entries);
  });
  return { wasm: edited, bindings };
}

/**
 * `wasm` (bytes) with its export section rewritten by `edit`, given each export's name:
 * it returns the name to export it under, or null to drop it.
 */
export function editExports(wasm, edit) {
  return rewriteSection(wasm, 7, (at) => {
    const kept = [];
    for (let count = readLeb(wasm, at); count > 0; count--) {
      const name = readName(wasm, at);
      const described = at.p;
      at.p++; // its kind
      readLeb(wasm, at); // its index
      const to = edit(name);
      if (to !== null) kept.push(wasmName(to), wasm.subarray(described, at.p));
    }
    return Buffer.concat([leb(kept.length / 2), ...kept]);
  });
}

/**
 * Short names (`_a`, `_b`, ...) for the exports of `wasm` named by a mangled Rust symbol
 * (`_ZN…`, kept by `--keep-lld-exports`), and for the bindings' calls of them, which
 * must call each at least once (nothing else may: the split parts import only memory,
 * the table and shared globals). Returns the new wasm bytes and bindings.
 */
export function shortSymbolExports(wasm, bindings) {
  let renamed = 0;
  const edited = editExports(wasm, (name) => {
    if (!name.startsWith("_ZN")) return name;
    const to = `_${shortName(renamed++)}`;
    const call = new RegExp(`\\bwasm\\.${name.replace(/[$.]/g, "\\$&")}(?![\\w$])`, "g");
    if (!call.test(bindings)) throw new Error(`the bindings do not call the export ${name}`);
    bindings = bindings.replace(call, `wasm.${to}`);
    return to;
  });
  return { wasm: edited, bindings };
}
