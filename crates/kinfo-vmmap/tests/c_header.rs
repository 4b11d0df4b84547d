//! The C library's committed header (`include/kinfo_vmmap.h` at the
//! repository's root) is exactly what cbindgen generates from the sources
//! that define the C face: the struct and its constants (`src/abi.rs`) and
//! the two functions (`src/capi.rs`), with the root's `cbindgen.toml`.
//! Run with `KINFO_VMMAP_BLESS=1` to refresh it after a change.
//!
//! It is this crate's test, not the C library's: generating the header in
//! a build script would put cbindgen in every build of the library, and as
//! the library's dev-dependency cbindgen would bring std into it through
//! feature unification (serde_json turns on memchr's `std`), which a
//! library with its own panic handler cannot link.

use std::path::Path;

/// `capi.rs` as cbindgen should see it: the functions are exported under
/// `#[cfg_attr(feature = "export-symbols", unsafe(export_name = ...))]`,
/// and cbindgen knows a function for C only by a plain `export_name` or
/// `no_mangle`, so the attribute is unwrapped into a scratch copy.
fn capi_as_exported(root: &Path) -> std::path::PathBuf {
    const GATE: &str = "#[cfg_attr(feature = \"export-symbols\", unsafe(export_name = ";
    let source = std::fs::read_to_string(root.join("crates/kinfo-vmmap/src/capi.rs")).unwrap();
    let mut unwrapped = String::new();
    let mut functions = 0;
    for line in source.lines() {
        match line
            .strip_prefix(GATE)
            .and_then(|rest| rest.strip_suffix("))]"))
        {
            Some(name) => {
                unwrapped.push_str(&format!("#[unsafe(export_name = {name})]\n"));
                functions += 1;
            }
            None => unwrapped.push_str(&format!("{line}\n")),
        }
    }
    assert_eq!(
        functions, 2,
        "capi.rs exports kinfo_getvmmap and kinfo_vmmap_unpack"
    );
    let copy = Path::new(env!("CARGO_TARGET_TMPDIR")).join("capi_as_exported.rs");
    std::fs::write(&copy, unwrapped).unwrap();
    copy
}

fn generate(root: &Path) -> String {
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("crates/kinfo-vmmap/src/abi.rs"))
        .with_src(capi_as_exported(root))
        .generate()
        .expect("cbindgen parses the sources")
        .write(&mut out);
    String::from_utf8(out).expect("the header is UTF-8")
}

#[test]
fn committed_header_matches_the_generated_one() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let generated = generate(root);
    let committed_path = root.join("include/kinfo_vmmap.h");
    if std::env::var_os("KINFO_VMMAP_BLESS").is_some() {
        std::fs::write(&committed_path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap();
    assert!(
        committed == generated,
        "include/kinfo_vmmap.h differs from what cbindgen generates; \
         rerun with KINFO_VMMAP_BLESS=1 and commit the result"
    );
}
