//! The platform backends: each turns a pid into a `VmMap`.

#[cfg(any(target_os = "freebsd", test))]
mod fetch_packed;
#[cfg(target_os = "freebsd")]
mod freebsd;
#[cfg(test)]
mod kernel_double;
#[cfg(not(target_os = "freebsd"))]
mod unsupported;

#[cfg(target_os = "freebsd")]
pub(crate) use freebsd::vmmap;
#[cfg(not(target_os = "freebsd"))]
pub(crate) use unsupported::vmmap;
