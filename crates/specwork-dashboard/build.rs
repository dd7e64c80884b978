//! Embeds every locale catalogue in `locales/` (one TOML file per locale), so that a new locale
//! is one new file and no code.
//!
//! The generated code names the files relative to `CARGO_MANIFEST_DIR` as the crate sees it when
//! it compiles (`concat!(env!(...))`), never as an absolute path written out by this script, so
//! a moved checkout builds without `cargo clean`.

use std::fmt::Write;

fn main() {
    // Relative paths: cargo resolves them against this package's folder.
    println!("cargo:rerun-if-changed=locales");
    let dir = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("locales");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("locales/ exists")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    let mut out = String::from(
        "/// Every embedded catalogue: (locale, TOML source).\npub(crate) static LOCALES: &[(&str, &str)] = &[\n",
    );
    for name in names {
        println!("cargo:rerun-if-changed=locales/{name}");
        let locale = name.trim_end_matches(".toml");
        writeln!(out, "    ({locale:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/locales/{name}\"))),")
            .unwrap();
    }
    out.push_str("];\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("locales.rs");
    std::fs::write(dest, out).unwrap();
}
