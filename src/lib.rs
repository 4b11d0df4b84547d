//! libkinfo_vmmap: FreeBSD's `kinfo_getvmmap(3)` as a C library, with
//! libutil's exact ABI and nothing of Rust's runtime inside.
//!
//! The code is the `kinfo-vmmap` crate (`crates/kinfo-vmmap`), built
//! without std and with its `export-symbols` feature, which exports
//! `kinfo_getvmmap` and `kinfo_vmmap_unpack` under their C names. This
//! crate adds only what a library with no std must bring itself, and what
//! only the final C library should: the panic handler, and the global
//! allocator for the little the core allocates through `alloc` (the read
//! buffers; the arrays handed to C come from `malloc(3)` directly). So the
//! shared library needs the C library alone, as libutil does.
//!
//! Test builds unwind, and a crate that unwinds needs std: there, and only
//! there, the crate is built with std, and the C face catches panics.

#![cfg_attr(panic = "abort", no_std)]

pub use kinfo_vmmap::capi::{kinfo_getvmmap, kinfo_vmmap_unpack};

// The one library the code needs. With its `std` feature, the libc crate
// names none itself, so that the static library's link line
// (`pkg-config --static --libs kinfo-vmmap`, from rustc's
// native-static-libs) is `-lc`, as it would be for a C library.
#[link(name = "c")]
unsafe extern "C" {}

#[cfg(panic = "abort")]
mod runtime;

/// Panics with a message of `len` bytes: built only with `--cfg
/// kinfo_vmmap_panic_probe`, which no shipped build sets, so that
/// tests/c_abi.rs can show the panic handler at work in a library built
/// exactly as the shipped one otherwise is. Nothing in the library panics
/// by design.
#[cfg(kinfo_vmmap_panic_probe)]
#[unsafe(no_mangle)]
pub extern "C" fn kinfo_vmmap_panic_probe(len: usize) {
    struct Filler(usize);
    impl core::fmt::Display for Filler {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            (0..self.0).try_for_each(|_| f.write_str("x"))
        }
    }
    panic!("probe {}", Filler(len));
}
