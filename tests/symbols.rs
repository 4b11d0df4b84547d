//! Symbol hygiene: the shared library exports its C interface and nothing
//! else, so that no symbol of Rust's std or of the crates it uses can
//! interpose on a symbol of the program that loads it, or be interposed on.
//!
//! rustc exports only the `#[no_mangle] extern "C"` functions of a cdylib;
//! this test keeps it that way. The list is `elf::EXPORTS`
//! (tests/support/elf.rs), which says how to extend it.
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
