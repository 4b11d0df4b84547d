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

#[cfg(panic = "abort")]
mod runtime;
