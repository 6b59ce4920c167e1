// Makes the widget's texts (`OUT_DIR/texts.rs`) from `locales/*.json` at compile time:
// one `Text` per key and, for each language, a table of its words. Every language must
// have every key of English's, and no other, or the build stops and says which.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// The languages, English first (the fallback).
const LOCALES: [&str; 2] = ["en", "uk"];

fn read(locale: &str) -> BTreeMap<String, String> {
    let path = format!("locales/{locale}.json");
    println!("cargo::rerun-if-changed={path}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `chat_with_us` -> `ChatWithUs`.
fn variant(key: &str) -> String {
    key.split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect()
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let tables: Vec<_> = LOCALES.iter().map(|l| (l, read(l))).collect();
    let keys: Vec<&String> = tables[0].1.keys().collect();
    for (locale, table) in &tables[1..] {
        let theirs: Vec<&String> = table.keys().collect();
        assert_eq!(keys, theirs, "locales/{locale}.json must have exactly the keys of locales/en.json");
    }
    let mut out =
        String::from("/// A text of the widget.\n#[derive(Clone, Copy, Debug, PartialEq, Eq)]\npub enum Text {\n");
    for key in &keys {
        writeln!(out, "    {},", variant(key)).unwrap();
    }
    out.push_str("}\n\n/// The languages the widget speaks, English first.\npub const LANGUAGES: [&str; ");
    writeln!(out, "{}] = {:?};\n", LOCALES.len(), LOCALES).unwrap();
    out.push_str("/// Each language's words, in the order of `Text`.\n");
    writeln!(out, "const WORDS: [[&str; {}]; {}] = [", keys.len(), LOCALES.len()).unwrap();
    for (_, table) in &tables {
        out.push_str("    [\n");
        for text in table.values() {
            writeln!(out, "        {text:?},").unwrap();
        }
        out.push_str("    ],\n");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("texts.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
