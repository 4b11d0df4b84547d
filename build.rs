//! Generates the C header from the Rust sources with cbindgen, into
//! `$OUT_DIR/kinfo_vmmap.h`. The committed `include/kinfo_vmmap.h` is a copy
//! of it; `tests/header.rs` fails when they differ and refreshes the copy
//! when run with `KINFO_VMMAP_BLESS=1`.

use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo::rerun-if-changed=src");
    println!("cargo::rerun-if-changed=cbindgen.toml");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is valid");
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen parses the crate")
        .write_to_file(out_dir.join("kinfo_vmmap.h"));
}
