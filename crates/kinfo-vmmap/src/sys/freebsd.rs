//! FreeBSD: the map comes from the sysctl `KERN_PROC_VMMAP`.

use core::mem::MaybeUninit;

use crate::error::Error;
use crate::sys::Resident;
use crate::sys::fetch_packed::{SizeHints, VmmapSysctl, fetch_packed};
use crate::unpack::unpack;
use crate::vmmap::VmMap;

/// The running kernel.
struct Kernel;

impl VmmapSysctl for Kernel {
    fn vmmap_sysctl(
        &mut self,
        pid: i32,
        buf: Option<&mut [MaybeUninit<u8>]>,
    ) -> Result<usize, i32> {
        let mib = [libc::CTL_KERN, libc::KERN_PROC, libc::KERN_PROC_VMMAP, pid];
        let (old, mut len) = match buf {
            Some(buf) => (buf.as_mut_ptr().cast::<libc::c_void>(), buf.len()),
            None => (core::ptr::null_mut(), 0),
        };
        // SAFETY: `mib` holds the 4 names passed; `old` is NULL or points to
        // `len` writable bytes that outlive the call; no new value is set.
        let rc = unsafe {
            libc::sysctl(
                mib.as_ptr(),
                mib.len() as libc::c_uint,
                old,
                &mut len,
                core::ptr::null(),
                0,
            )
        };
        if rc == 0 {
            Ok(len)
        } else {
            Err(crate::sys::errno::get())
        }
    }
}

/// The buffer sizes learnt, per pid, from earlier calls in this process.
static HINTS: SizeHints = SizeHints::new();

/// The map of process `pid`. `resident` is ignored: the kernel's sysctl
/// `kern.proc_vmmap_skip_resident_count` decides, as for libutil.
pub(crate) fn vmmap(pid: i32, _resident: Resident) -> Result<VmMap, Error> {
    let packed = fetch_packed(&mut Kernel, pid, &HINTS)?;
    unpack(&packed)
}
