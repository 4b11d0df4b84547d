//! The platform backends: each turns a pid into a `VmMap`.

#[cfg(any(target_os = "freebsd", test))]
mod fetch_packed;
#[cfg(target_os = "freebsd")]
mod freebsd;
#[cfg(test)]
mod kernel_double;
#[cfg(target_os = "linux")]
mod linux;
// Pure text parsing, built on every target so that it can be tested and
// fuzzed anywhere; only Linux reads such text.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
mod procfs_text;
#[cfg(not(any(target_os = "freebsd", target_os = "linux")))]
mod unsupported;

#[cfg(target_os = "freebsd")]
pub(crate) use freebsd::vmmap;
#[cfg(target_os = "linux")]
pub(crate) use linux::vmmap;
#[cfg(not(any(target_os = "freebsd", target_os = "linux")))]
pub(crate) use unsupported::vmmap;
