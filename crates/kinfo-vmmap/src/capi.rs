//! The C face: `kinfo_getvmmap(3)` and `kinfo_vmmap_unpack`, with libutil's
//! conventions and none of its failure modes.
//!
//! Results are arrays from `malloc(3)` the caller releases with `free(3)`.
//! On failure the result is NULL, `*cntp` is 0 and errno says why. A NULL
//! `cntp` is EINVAL rather than a crash.
//!
//! The functions are exported under their C names only with the
//! `export-symbols` feature, which the C library turns on; otherwise they
//! are plain Rust functions with the C calling convention, and a Rust
//! program that links this crate exports nothing.
//!
//! `kinfo_getvmmap` skips resident counts when the environment variable
//! `KINFO_VMMAP_SKIP_RESIDENT_COUNT` is set to a number other than 0: C
//! has no place for an option in libutil's signature, and FreeBSD's answer
//! is a sysctl (`kern.proc_vmmap_skip_resident_count`), which the variable
//! stands in for on Linux, read at every call as the sysctl is. On FreeBSD
//! the sysctl itself decides.
//!
//! No panic crosses into C: the C library is built with `panic = "abort"`
//! (its panic handler prints the message and aborts), and where a build
//! unwinds (the test harness), `catch_unwind` turns a panic into EIO.

use core::ffi::{c_int, c_void};

use crate::abi::kinfo_vmentry;
use crate::error::Error;
use crate::sys::Resident;
use crate::vmmap::VmMap;

use crate::sys::errno::set as set_errno;

/// Set to a number other than 0, resident counts are skipped.
#[cfg(target_os = "linux")]
const SKIP_RESIDENT_COUNT: &core::ffi::CStr = c"KINFO_VMMAP_SKIP_RESIDENT_COUNT";

impl Resident {
    /// The choice `KINFO_VMMAP_SKIP_RESIDENT_COUNT` makes, on Linux.
    #[cfg(target_os = "linux")]
    fn from_env() -> Self {
        // SAFETY: the name is NUL-terminated. `getenv` returns NULL or a
        // NUL-terminated string that stays valid while the environment is
        // unchanged; `std::env::set_var` is `unsafe` and its callers promise
        // that no other thread reads the environment meanwhile.
        let value = unsafe { libc::getenv(SKIP_RESIDENT_COUNT.as_ptr()) };
        if value.is_null() {
            return Self::from_setting(None);
        }
        // SAFETY: as above, a live NUL-terminated string.
        Self::from_setting(Some(unsafe { core::ffi::CStr::from_ptr(value) }.to_bytes()))
    }

    /// Elsewhere the variable means nothing: on FreeBSD the kernel's own
    /// sysctl, `kern.proc_vmmap_skip_resident_count`, decides, as it does
    /// for libutil, and the library never reads the environment.
    #[cfg(not(target_os = "linux"))]
    fn from_env() -> Self {
        Self::Count
    }

    /// Like the sysctl it stands in for, the variable is a number, and any
    /// but 0 skips the counts; unset, empty or not a number, they are read.
    #[cfg_attr(not(any(test, target_os = "linux")), allow(dead_code))]
    fn from_setting(value: Option<&[u8]>) -> Self {
        match value {
            Some(v)
                if !v.is_empty()
                    && v.iter().all(u8::is_ascii_digit)
                    && v.iter().any(|&b| b != b'0') =>
            {
                Self::Skip
            }
            _ => Self::Count,
        }
    }
}

/// Why a C call failed: the library's errors, and those only C can cause.
enum Failure {
    Library(Error),
    /// An argument C could pass and Rust could not, such as a NULL buffer
    /// with a length (`EINVAL`).
    InvalidArgument,
    /// A panic, caught where panics unwind (`EIO`).
    #[cfg_attr(not(all(feature = "std", panic = "unwind")), allow(dead_code))]
    Panicked,
}

impl Failure {
    fn errno(&self) -> c_int {
        match self {
            Self::Library(error) => error.errno(),
            Self::InvalidArgument => libc::EINVAL,
            Self::Panicked => libc::EIO,
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self::Library(error)
    }
}

/// Runs `produce`, turning a panic into `Failure::Panicked` where panics
/// unwind (the test harness); where they abort, as in the C library,
/// nothing can reach C anyway.
#[cfg(all(feature = "std", panic = "unwind"))]
fn contain_panic(produce: impl FnOnce() -> Result<VmMap, Failure>) -> Result<VmMap, Failure> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(produce))
        .unwrap_or(Err(Failure::Panicked))
}

#[cfg(not(all(feature = "std", panic = "unwind")))]
fn contain_panic(produce: impl FnOnce() -> Result<VmMap, Failure>) -> Result<VmMap, Failure> {
    produce()
}

/// Runs `produce` and hands its map to C: the array with `*cntp` set, or
/// NULL with `*cntp = 0` and errno set.
///
/// # Safety
/// `cntp` must be NULL or valid for writing an `int`.
unsafe fn deliver(
    cntp: *mut c_int,
    produce: impl FnOnce() -> Result<VmMap, Failure>,
) -> *mut kinfo_vmentry {
    if cntp.is_null() {
        set_errno(libc::EINVAL);
        return core::ptr::null_mut();
    }
    // SAFETY: `cntp` is non-NULL and the caller vouches it is writable.
    unsafe { cntp.write(0) };
    let result = contain_panic(produce);
    let map = result.and_then(|map| match c_int::try_from(map.len()) {
        Ok(_) => Ok(map),
        Err(_) => Err(Failure::Library(Error::OutOfMemory)),
    });
    match map {
        Ok(map) => {
            let (entries, count) = map.into_raw();
            // SAFETY: as above; `count` fits an `int`, checked above.
            unsafe { cntp.write(count as c_int) };
            entries
        }
        Err(error) => {
            set_errno(error.errno());
            core::ptr::null_mut()
        }
    }
}

/// Returns the virtual memory map of process `pid` as an array of `*cntp`
/// entries in address order, allocated with `malloc(3)`; the caller frees it
/// with `free(3)`. On failure returns NULL, sets `*cntp` to 0 and errno to
/// ESRCH, EPERM, ENOMEM, EINVAL or ENOSYS. Resident counts are skipped
/// as `KINFO_VMMAP_SKIP_RESIDENT_COUNT` says (on Linux; on FreeBSD as the
/// sysctl says).
///
/// # Safety
/// `cntp` must be NULL (an EINVAL failure) or valid for writing an `int`.
#[cfg_attr(feature = "export-symbols", unsafe(export_name = "kinfo_getvmmap"))]
pub unsafe extern "C" fn kinfo_getvmmap(pid: libc::pid_t, cntp: *mut c_int) -> *mut kinfo_vmentry {
    // SAFETY: the caller's promise about `cntp` is `deliver`'s contract.
    unsafe { deliver(cntp, || Ok(crate::sys::vmmap(pid, Resident::from_env())?)) }
}

/// Expands `len` bytes of packed `struct kinfo_vmentry` records at `buf`,
/// as `KERN_PROC_VMMAP` and the `NT_PROCSTAT_VMMAP` note of a core file hold
/// them, into an array like `kinfo_getvmmap`'s, with the same conventions.
/// Malformed records fail with EINVAL; nothing past `buf + len` is read.
///
/// # Safety
/// `buf` must be valid for reading `len` bytes (or NULL when `len` is 0);
/// `cntp` must be NULL (an EINVAL failure) or valid for writing an `int`.
#[cfg_attr(feature = "export-symbols", unsafe(export_name = "kinfo_vmmap_unpack"))]
pub unsafe extern "C" fn kinfo_vmmap_unpack(
    buf: *const c_void,
    len: usize,
    cntp: *mut c_int,
) -> *mut kinfo_vmentry {
    let produce = || {
        if len == 0 {
            return Ok(crate::unpack(&[])?);
        }
        if buf.is_null() {
            return Err(Failure::InvalidArgument);
        }
        // SAFETY: `buf` is non-NULL and the caller vouches for `len`
        // readable bytes; nothing writes to them during the call.
        let packed = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), len) };
        Ok(crate::unpack(packed)?)
    };
    // SAFETY: the caller's promise about `cntp` is `deliver`'s contract.
    unsafe { deliver(cntp, produce) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errno() -> i32 {
        std::io::Error::last_os_error().raw_os_error().unwrap()
    }

    #[test]
    fn the_environment_setting_reads_like_a_sysctl() {
        assert_eq!(Resident::from_setting(None), Resident::Count);
        assert_eq!(Resident::from_setting(Some(b"")), Resident::Count);
        assert_eq!(Resident::from_setting(Some(b"0")), Resident::Count);
        assert_eq!(Resident::from_setting(Some(b"000")), Resident::Count);
        assert_eq!(Resident::from_setting(Some(b"yes")), Resident::Count);
        assert_eq!(Resident::from_setting(Some(b"1")), Resident::Skip);
        assert_eq!(Resident::from_setting(Some(b"10")), Resident::Skip);
    }

    #[test]
    fn null_cntp_is_einval() {
        set_errno(0);
        // SAFETY: a NULL cntp is part of the contract.
        let got = unsafe { kinfo_vmmap_unpack(core::ptr::null(), 0, core::ptr::null_mut()) };
        assert!(got.is_null());
        assert_eq!(errno(), libc::EINVAL);
    }

    #[test]
    fn empty_input_is_a_non_null_empty_array() {
        let mut count = -1;
        // SAFETY: `count` is a live int.
        let got = unsafe { kinfo_vmmap_unpack(core::ptr::null(), 0, &mut count) };
        assert!(!got.is_null());
        assert_eq!(count, 0);
        // SAFETY: the array came from malloc.
        unsafe { libc::free(got.cast()) };
    }

    #[test]
    fn malformed_input_is_einval_with_count_zero() {
        let bad = 12i32.to_ne_bytes();
        let mut count = 7;
        // SAFETY: `bad` is 4 readable bytes; `count` is a live int.
        let got = unsafe { kinfo_vmmap_unpack(bad.as_ptr().cast(), bad.len(), &mut count) };
        assert!(got.is_null());
        assert_eq!((count, errno()), (0, libc::EINVAL));
    }

    #[test]
    fn null_buf_with_length_is_einval() {
        let mut count = 7;
        // SAFETY: a NULL buf with a length is rejected before any read.
        let got = unsafe { kinfo_vmmap_unpack(core::ptr::null(), 16, &mut count) };
        assert!(got.is_null());
        assert_eq!((count, errno()), (0, libc::EINVAL));
    }

    #[test]
    fn a_panic_becomes_eio() {
        let mut count = 7;
        // SAFETY: `count` is a live int.
        let got = unsafe { deliver(&mut count, || panic!("invariant broken")) };
        assert!(got.is_null());
        assert_eq!((count, errno()), (0, libc::EIO));
    }

    #[test]
    fn records_come_back_with_their_count() {
        let mut packed = Vec::new();
        for start in [0x1000, 0x5000] {
            crate::unpack::pack(&crate::unpack::tests::entry(start, "/bin/sh"), &mut packed);
        }
        let mut count = 0;
        // SAFETY: `packed` is readable for its length; `count` is a live int.
        let got = unsafe { kinfo_vmmap_unpack(packed.as_ptr().cast(), packed.len(), &mut count) };
        assert_eq!(count, 2);
        // SAFETY: `got` holds `count` entries from malloc.
        let entries = unsafe { core::slice::from_raw_parts(got, 2) };
        assert_eq!(entries[1].kve_start, 0x5000);
        // SAFETY: the array came from malloc.
        unsafe { libc::free(got.cast()) };
    }
}
