// Drops exported classes that nothing in the app makes. wasm-bindgen exports every
// `#[wasm_bindgen]` struct of every crate linked in, with a JavaScript class whose
// methods call the wasm's exports, and an export is kept by wasm-opt with all the code
// it reaches. wasm-streams' three stream adapters come in this way through Leptos's
// server functions, which the app does not use: a Rust value reaches JavaScript as one
// of these classes only through the bindings' `Class.__wrap`, which wasm-bindgen
// writes only when some code makes one, so a class the bindings never wrap is dead.
import { editExports } from "./short-imports.mjs";

/** The text of `bindings` that defines class `name`: the class, its finalizer, its `dispose`. */
function classText(bindings, name) {
  const parts = [
    new RegExp(`^export class ${name} \\{\\n[\\s\\S]*?^\\}\\n`, "m"),
    new RegExp(`^if \\(Symbol\\.dispose\\) ${name}\\.prototype\\[Symbol\\.dispose\\] = .*\\n`, "m"),
    new RegExp(`^const ${name}Finalization = [\\s\\S]*?;\\n`, "m"),
  ].map((pattern) => bindings.match(pattern)?.[0]);
  if (parts.some((part) => part === undefined)) throw new Error(`the bindings do not define the class ${name} as expected`);
  return parts;
}

/**
 * `wasm` and its `bindings` (wasm-bindgen's JavaScript, before minifying) without the
 * classes `names` and the exports only they call. Throws when one is made somewhere
 * (`__wrap`) or its exports are called from elsewhere.
 */
export function dropUnusedClasses(wasm, bindings, names) {
  const calls = new Set();
  for (const name of names) {
    if (bindings.includes(`${name}.__wrap`)) throw new Error(`the bindings make ${name}: it is used`);
    for (const text of classText(bindings, name)) {
      bindings = bindings.replace(text, "");
      for (const [, called] of text.matchAll(/\bwasm\.(\w+)\(/g)) calls.add(called);
    }
    if (new RegExp(`\\b${name}\\b`).test(bindings)) throw new Error(`the bindings still name ${name}`);
  }
  for (const called of calls) {
    if (new RegExp(`\\bwasm\\.${called}\\b`).test(bindings)) throw new Error(`the bindings call ${called} elsewhere`);
  }
  const left = new Set(calls);
  wasm = editExports(wasm, (name) => (left.delete(name) ? null : name));
  if (left.size) throw new Error(`the wasm does not export ${[...left].join(", ")}`);
  return { wasm, bindings };
}
