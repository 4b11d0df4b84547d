//! FreeBSD's `kinfo_getvmmap(3)`: a process's virtual memory map as an array
//! of `struct kinfo_vmentry`, with an exact C ABI and a safe Rust API.
//!
//! The crate is built in three floors:
//! - [`abi`], the packed-record decoder ([`unpack`]) and [`Error`] know
//!   nothing of any operating system;
//! - `sys` holds one backend per system: FreeBSD's sysctl
//!   `KERN_PROC_VMMAP`, or ENOSYS where there is none;
//! - the faces: the Rust functions below, and the C functions
//!   `kinfo_getvmmap` and `kinfo_vmmap_unpack`, declared in
//!   `include/kinfo_vmmap.h`.
//!
//! ```no_run
//! let map = kinfo_vmmap::vmmap(std::process::id() as i32)?;
//! for entry in map.iter() {
//!     println!("{:#x}-{:#x} {}", entry.kve_start, entry.kve_end, entry.path().display());
//! }
//! # Ok::<(), kinfo_vmmap::Error>(())
//! ```

pub mod abi;
mod capi;
mod error;
mod sys;
mod unpack;
mod vmmap;

#[cfg(feature = "bench-internals")]
#[doc(hidden)]
pub use sys::bench_internals as __bench;

/// The checks the fuzz targets in `fuzz/` run; no part of the API.
#[cfg(any(fuzzing, test))]
#[doc(hidden)]
#[path = "fuzz.rs"]
pub mod __fuzz;

pub use abi::kinfo_vmentry;
pub use error::{Error, Malformed};
pub use vmmap::VmMap;

/// The virtual memory map of process `pid`, entries in address order.
///
/// Fails with `NoSuchProcess` for a missing or exiting process,
/// `PermissionDenied` when the caller may not inspect it, `OutOfMemory`, or
/// `Unsupported` on a system with no backend.
pub fn vmmap(pid: i32) -> Result<VmMap, Error> {
    sys::vmmap(pid)
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
