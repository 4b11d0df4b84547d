//! Symbol hygiene: the shared library exports its C interface and nothing
//! else, so that no symbol of Rust's std or of the crates it uses can
//! interpose on a symbol of the program that loads it, or be interposed on.
//!
//! rustc exports only the `#[no_mangle] extern "C"` functions of a cdylib;
//! this test keeps it that way. The list is `elf::EXPORTS`
//! (tests/support/elf.rs), which says how to extend it.
//!
//! The exports carry no symbol version, so that a preloaded or relinked
//! library also satisfies references to libutil's versioned
//! `kinfo_getvmmap@FBSD_1.8` (tests/overlay.rs shows why, and what a
//! version of its own would break).
//!
//! The release build cargo-c installs is checked the same way by
//! tests/install.rs, and the FreeBSD builds by
//! scripts/freebsd-conformance.sh.

#[path = "support/elf.rs"]
mod elf;
mod support;

use support::{built_library, have};

#[test]
fn the_shared_library_exports_exactly_the_c_interface() {
    if !have(
        "the_shared_library_exports_exactly_the_c_interface",
        &["readelf"],
    ) {
        return;
    }
    let library = built_library("libkinfo_vmmap.so");
    assert_eq!(
        elf::exports(&library),
        elf::EXPORTS,
        "{} exports more or less than the C interface",
        library.display()
    );
}

#[test]
fn the_shared_library_defines_no_symbol_version() {
    let test = "the_shared_library_defines_no_symbol_version";
    if !have(test, &["readelf"]) {
        return;
    }
    let library = built_library("libkinfo_vmmap.so");
    assert_eq!(
        elf::version_definitions(&library),
        Vec::<String>::new(),
        "{} defines symbol versions",
        library.display()
    );
}
