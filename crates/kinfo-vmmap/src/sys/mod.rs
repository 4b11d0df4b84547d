//! The platform backends: each turns a pid into a `VmMap`.

pub(crate) mod errno;

// The fetch strategy is built on every system with the test plumbing, so
// that the kernel double drives it anywhere.
#[cfg(any(target_os = "freebsd", feature = "internals"))]
pub(crate) mod fetch_packed;
#[cfg(target_os = "freebsd")]
mod freebsd;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(not(any(target_os = "freebsd", target_os = "linux")))]
mod unsupported;

/// Whether resident counts are read: FreeBSD's sysctl
/// `kern.proc_vmmap_skip_resident_count`, as an argument.
///
/// Only Linux's backend takes it from here (it reads `smaps` or `maps`);
/// on FreeBSD the kernel's sysctl decides, and no call can override it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resident {
    /// With counts: `smaps`, with `VmFlags`.
    Count,
    /// Without: `maps`, where counts are 0 and `VmFlags` unknown.
    Skip,
}

#[cfg(target_os = "freebsd")]
pub(crate) use freebsd::vmmap;
#[cfg(target_os = "linux")]
pub(crate) use linux::vmmap;
#[cfg(all(target_os = "linux", feature = "internals"))]
pub(crate) use linux::{read_buffer, smaps_ask};
#[cfg(not(any(target_os = "freebsd", target_os = "linux")))]
pub(crate) use unsupported::vmmap;
