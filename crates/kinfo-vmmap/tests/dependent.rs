//! What a Rust user gets from `cargo add kinfo-vmmap`: a crate that builds
//! an rlib and nothing else (no cdylib, no staticlib, no cbindgen), and
//! that exports no C symbol from the user's own shared library unless the
//! `export-symbols` feature is asked for.
//!
//! A scratch package under cargo's per-test directory depends on this
//! crate by path, as a cdylib, the case where rustc exports every
//! `#[no_mangle]` item of every dependency; it is built offline, from the
//! crates this package already fetched. (ELF and readelf: Linux only.)

#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::Command;

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A cdylib package depending on this crate with `features`: its built
/// library, and cargo's verbose log of the compiler runs.
fn build_dependent(name: &str, features: &[&str]) -> (PathBuf, String) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let features = features
        .iter()
        .map(|f| format!("\"{f}\""))
        .collect::<Vec<_>>()
        .join(", ");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
             [lib]\ncrate-type = [\"cdylib\"]\n\n\
             [dependencies]\nkinfo-vmmap = {{ path = {:?}, features = [{features}] }}\n\n\
             [workspace]\n",
            crate_dir()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        "#[unsafe(no_mangle)]\n\
         pub extern \"C\" fn mapped_entries(pid: i32) -> usize {\n\
         \tkinfo_vmmap::vmmap(pid).map_or(0, |map| map.len())\n}\n",
    )
    .unwrap();
    // The crate's own lock, so that the scratch package resolves to the
    // versions already fetched and builds offline.
    std::fs::copy(crate_dir().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(&dir)
        .args(["build", "--offline", "--release", "-v"])
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{log}");
    let library = dir.join(format!("target/release/lib{name}.so"));
    assert!(library.is_file(), "{} missing\n{log}", library.display());
    (library, log)
}

/// The names of the defined dynamic symbols of `library`.
fn exports(library: &Path) -> Vec<String> {
    let output = Command::new("readelf")
        .args(["--dyn-syms", "-W"])
        .arg(library)
        .output()
        .expect("readelf runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                [_, _, _, _, bind, _, ndx, name, ..]
                    if *ndx != "UND" && (*bind == "GLOBAL" || *bind == "WEAK") =>
                {
                    Some(name.split('@').next().unwrap().to_owned())
                }
                _ => None,
            }
        })
        .collect()
}

#[test]
fn a_dependent_cdylib_builds_no_c_library_and_exports_only_its_own_symbols() {
    let (library, log) = build_dependent("plain_dependent", &[]);
    let exported = exports(&library);
    assert!(
        exported.iter().any(|s| s == "mapped_entries"),
        "{exported:?}"
    );
    for c_name in ["kinfo_getvmmap", "kinfo_vmmap_unpack"] {
        assert!(
            !exported.iter().any(|s| s == c_name),
            "{c_name} exported: {exported:?}"
        );
    }
    // The crate is compiled once, as an rlib, and cbindgen never.
    let units: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("--crate-name kinfo_vmmap "))
        .collect();
    assert_eq!(units.len(), 1, "{log}");
    assert!(units[0].contains("--crate-type lib"), "{}", units[0]);
    assert!(!log.contains("cbindgen"), "{log}");
}

#[test]
fn export_symbols_exports_the_c_interface_when_asked() {
    let (library, _) = build_dependent("exporting_dependent", &["export-symbols"]);
    let exported = exports(&library);
    for c_name in ["kinfo_getvmmap", "kinfo_vmmap_unpack", "mapped_entries"] {
        assert!(
            exported.iter().any(|s| s == c_name),
            "{c_name} missing: {exported:?}"
        );
    }
}
