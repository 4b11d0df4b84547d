//! FreeBSD's `kinfo_getvmmap(3)`: a process's virtual memory map as an array
//! of `struct kinfo_vmentry`, on FreeBSD and on Linux.
//!
//! The crate is built in three floors:
//! - the ground floor knows no operating system: [`abi`] (the struct, byte
//!   for byte as FreeBSD's `<sys/user.h>`, and its constants), the
//!   packed-record decoder ([`unpack`]), Linux's `maps` and `smaps` text
//!   turned into the same entries (`procfs`, so that saved text parses on
//!   any system), [`VmMap`] (the `malloc(3)`'d array both faces hand out)
//!   and [`Error`];
//! - `sys` holds one backend per system: FreeBSD's sysctl
//!   `KERN_PROC_VMMAP`, Linux's `/proc/PID/smaps` and `maps` (read there,
//!   parsed by `procfs`), or ENOSYS
//!   where there is neither;
//! - the faces: the Rust functions below, and [`capi`], the C functions
//!   `kinfo_getvmmap` and `kinfo_vmmap_unpack`, exported under those names
//!   only with the `export-symbols` feature. The C library at the root of
//!   the repository is this crate built that way, without std.
//!
//! Without its default `std` feature the crate needs only `core`, `alloc`
//! and the C library: every allocation on a call's path goes through
//! `malloc(3)` or `try_reserve` and fails with [`Error::OutOfMemory`].
//!
//! ```no_run
//! let map = kinfo_vmmap::vmmap(std::process::id() as i32)?;
//! for entry in map.iter() {
//!     println!("{:#x}-{:#x} {}", entry.kve_start, entry.kve_end, entry.path().display());
//! }
//! # Ok::<(), kinfo_vmmap::Error>(())
//! ```

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod abi;
pub mod capi;
mod error;
mod procfs;
mod sys;
mod unpack;
mod vmmap;

/// Test plumbing: the FreeBSD kernel double, the fuzz targets' checks and
/// the benches' helpers. Built only with the `internals` feature, which the
/// crate's tests, benches and fuzz targets turn on; no part of the API.
#[cfg(feature = "internals")]
#[doc(hidden)]
#[path = "internals/mod.rs"]
pub mod __internals;

pub use abi::kinfo_vmentry;
pub use error::{Error, Malformed};
pub use vmmap::VmMap;

/// The virtual memory map of process `pid`, entries in address order.
///
/// Fails with `NoSuchProcess` for a missing or exiting process,
/// `PermissionDenied` when the caller may not inspect it, `OutOfMemory`, or
/// `Unsupported` on a system with no backend.
pub fn vmmap(pid: i32) -> Result<VmMap, Error> {
    sys::vmmap(pid, sys::Resident::Count)
}

/// Decodes packed `struct kinfo_vmentry` records, as the sysctl
/// `KERN_PROC_VMMAP` returns them and core files store them (the
/// `NT_PROCSTAT_VMMAP` note, after its leading size word).
///
/// A `kve_structsize` of 0 ends the list. A record shorter than the 136-byte
/// head, longer than the 1160-byte struct, running past the end of `packed`,
/// or a trailing fragment too short for a size, fails with
/// [`Error::Malformed`]; nothing past `packed` is read.
pub fn unpack(packed: &[u8]) -> Result<VmMap, Error> {
    unpack::unpack(packed)
}
