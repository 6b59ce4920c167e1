// Generates the `i18n` module (`OUT_DIR/i18n/mod.rs`) from the crate's `locales/*.json`:
// every key must exist in every language, checked when the crate compiles. The widget's
// build script includes this one.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("i18n");
    let config = Config::new("en").and_then(|c| c.add_locale("uk")).expect("valid locale names");
    // Texts with `{{ placeholders }}` are also made as plain strings (`td_string!`).
    let config = config.parse_options(ParseOptions::new().interpolate_display(true));
    let translations = TranslationsInfos::parse(config).expect("readable locales/*.json");
    translations.rerun_if_locales_changed();
    translations.emit_diagnostics();
    translations.generate_i18n_module(out).expect("the i18n module written");
}
