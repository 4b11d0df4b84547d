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
// Pure text parsing, built on every target so that it can be tested and
// fuzzed anywhere; only Linux reads such text.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
mod procfs_text;
#[cfg(not(any(target_os = "freebsd", target_os = "linux")))]
mod unsupported;

/// What the fuzz checks (`internals/fuzz.rs`) drive: the text parser, and
/// on Linux the entry builder.
#[cfg(feature = "internals")]
pub(crate) mod fuzz_access {
    #[cfg(target_os = "linux")]
    pub(crate) use super::linux::{Resident, vmmap_from_text};
    pub(crate) use super::procfs_text::{
        Field, Lines, SmapsLine, VmFlags, parse_map_line, parse_smaps_line, parse_stat,
        unescape_path,
    };
}

#[cfg(target_os = "freebsd")]
pub(crate) use freebsd::vmmap;
#[cfg(target_os = "linux")]
pub(crate) use linux::vmmap;
#[cfg(not(any(target_os = "freebsd", target_os = "linux")))]
pub(crate) use unsupported::vmmap;
