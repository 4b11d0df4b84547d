//! A stand-in for FreeBSD's `KERN_PROC_VMMAP` handler, so that the fetch
//! strategy runs in the tests on any OS.
//!
//! It behaves as `sys/kern/kern_proc.c` does: every call walks the map, a
//! size probe included; a buffer that is too small gets as many bytes as fit,
//! the last record cut in the middle, and ENOMEM; the process can be missing
//! (ESRCH) or not debuggable (EPERM). Between calls the map can grow, as a
//! live process's does, since the kernel takes no snapshot.

use core::mem::MaybeUninit;

use crate::abi::kinfo_vmentry;
use crate::sys::fetch_packed::VmmapSysctl;
use crate::unpack::tests::pack;

pub(crate) struct KernelDouble {
    pub map: Vec<kinfo_vmentry>,
    /// Calls made, each a walk of the map (whole or until the buffer filled).
    pub walks: usize,
    /// Calls made with no buffer.
    pub probes: usize,
    /// Entries added after every call.
    pub growth_per_call: usize,
    /// The map is multiplied by this after every call, when above 1.
    pub growth_factor: usize,
    /// Every call fails with this errno.
    pub fail_with: Option<i32>,
    /// The process exits after this many calls.
    pub exit_after_calls: Option<usize>,
    /// Added to the length a successful read reports.
    pub overstate_length: usize,
}

impl KernelDouble {
    pub const PID: i32 = 4242;

    pub fn new(map: Vec<kinfo_vmentry>) -> Self {
        Self {
            map,
            walks: 0,
            probes: 0,
            growth_per_call: 0,
            growth_factor: 1,
            fail_with: None,
            exit_after_calls: None,
            overstate_length: 0,
        }
    }

    fn packed(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.map.iter().for_each(|e| pack(e, &mut out));
        out
    }

    fn grow(&mut self) {
        let Some(last) = self.map.last().copied() else {
            return;
        };
        let target = self.map.len() * self.growth_factor.max(1) + self.growth_per_call;
        let mut next = last;
        while self.map.len() < target {
            next.kve_start = next.kve_end;
            next.kve_end = next.kve_start + 0x1000;
            self.map.push(next);
        }
    }
}

impl VmmapSysctl for KernelDouble {
    fn vmmap_sysctl(
        &mut self,
        pid: i32,
        buf: Option<&mut [MaybeUninit<u8>]>,
    ) -> Result<usize, i32> {
        let calls = self.walks;
        if pid != Self::PID || self.exit_after_calls.is_some_and(|n| calls >= n) {
            return Err(libc::ESRCH);
        }
        if let Some(errno) = self.fail_with {
            return Err(errno);
        }
        self.walks += 1;
        let packed = self.packed();
        let result = match buf {
            None => {
                self.probes += 1;
                Ok(packed.len())
            }
            Some(buf) if buf.len() < packed.len() => {
                for (dst, &src) in buf.iter_mut().zip(&packed) {
                    dst.write(src);
                }
                Err(libc::ENOMEM)
            }
            Some(buf) => {
                for (dst, &src) in buf.iter_mut().zip(&packed) {
                    dst.write(src);
                }
                Ok(packed.len() + self.overstate_length)
            }
        };
        self.grow();
        result
    }
}
