//! This thread's `errno`, read and written without std: the C face sets
//! it, and the backends read it after a failed system call.

use core::ffi::c_int;

#[cfg(any(target_os = "linux", target_os = "android"))]
fn location() -> *mut c_int {
    // SAFETY: `__errno_location` has no preconditions.
    unsafe { libc::__errno_location() }
}

#[cfg(any(
    target_os = "freebsd",
    target_os = "dragonfly",
    target_vendor = "apple"
))]
fn location() -> *mut c_int {
    // SAFETY: `__error` has no preconditions.
    unsafe { libc::__error() }
}

/// The errno the last failed call left, or EIO if it left none.
#[cfg_attr(not(any(target_os = "linux", target_os = "freebsd")), allow(dead_code))]
pub(crate) fn get() -> c_int {
    // SAFETY: `location` is this thread's errno slot, valid for the
    // thread's lifetime.
    match unsafe { *location() } {
        0 => libc::EIO,
        errno => errno,
    }
}

pub(crate) fn set(errno: c_int) {
    // SAFETY: as in `get`.
    unsafe { *location() = errno };
}
