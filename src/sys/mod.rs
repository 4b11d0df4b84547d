//! The platform backends: each turns a pid into a `VmMap`.

/// cbindgen:ignore
#[cfg(feature = "bench-internals")]
pub mod bench_internals;
#[cfg(any(target_os = "freebsd", test, feature = "bench-internals"))]
mod fetch_packed;
#[cfg(target_os = "freebsd")]
mod freebsd;
// Outside the tests only the benchmarks drive it, with none of its
// hostile modes. (cbindgen reads every module whatever its cfg, and would
// put the double's constant in the C header.)
/// cbindgen:ignore
#[cfg(any(test, feature = "bench-internals"))]
#[cfg_attr(not(test), allow(dead_code))]
mod kernel_double;
#[cfg(target_os = "linux")]
mod linux;
// Pure text parsing, built on every target so that it can be tested and
// fuzzed anywhere; only Linux reads such text.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
mod procfs_text;
#[cfg(not(any(target_os = "freebsd", target_os = "linux")))]
mod unsupported;

/// What the fuzz checks (`src/fuzz.rs`) drive: the text parser, and on
/// Linux the entry builder.
#[cfg(any(fuzzing, test))]
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
