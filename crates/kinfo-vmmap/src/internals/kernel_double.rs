//! A stand-in for FreeBSD's `KERN_PROC_VMMAP` handler, so that the fetch
//! strategy runs in the tests on any OS.
//!
//! It behaves as `sys/kern/kern_proc.c` does: every call walks the map, a
//! size probe included; a buffer that is too small gets as many bytes as fit,
//! the last record cut in the middle, and ENOMEM; the process can be missing
//! (ESRCH) or not debuggable (EPERM). Between calls the map can grow, as a
//! live process's does, since the kernel takes no snapshot. A read into a
//! buffer over 4 pages is counted as one that takes `sysctlmemlock`, as
//! `userland_sysctl` in `kern_sysctl.c` does, and other processes can be
//! added beside the main one, so that a scan of many pids is measured on
//! one double.
//!
//! It can also behave as no kernel should, so that the fetch is shown to
//! stay bounded and fail cleanly against a hostile one: a successful read
//! whose last record is cut short, ENOMEM for every buffer however large,
//! and a size that grows on every call. It counts what it was asked for
//! (calls, probes, locked reads, buffer bytes) so that the tests can bound
//! it.

use core::mem::MaybeUninit;
use std::collections::BTreeMap;

use crate::abi::kinfo_vmentry;
use crate::sys::fetch_packed::{PAGE, VmmapSysctl};
use crate::unpack::pack;

pub(crate) struct KernelDouble {
    /// The map of `PID`, the process every knob below acts on.
    pub map: Vec<kinfo_vmentry>,
    /// Other processes, each with its map as the kernel packs it; they
    /// neither grow nor fail, and are counted as `PID` is.
    pub others: BTreeMap<i32, Vec<u8>>,
    /// Calls made, each a walk of the map (whole or until the buffer filled).
    pub walks: usize,
    /// Calls made with no buffer.
    pub probes: usize,
    /// Reads into a buffer over 4 pages, which take the exclusive,
    /// system-wide `sysctlmemlock` for their whole walk.
    pub locked_reads: usize,
    /// Bytes of buffer offered, summed over every call.
    pub bytes_offered: usize,
    /// The largest buffer offered.
    pub largest_buffer: usize,
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
    /// Hostile: taken off the length a successful read reports, so that
    /// its last record (or its last record's size field) is cut short.
    pub cut_length: usize,
    /// Hostile: every read with a buffer fails with ENOMEM after filling
    /// it, however large it is; probes still answer.
    pub always_enomem: bool,
    /// Hostile, when above 1: the size the records need, as both reads and
    /// probes find it, is their real size times this to the power of the
    /// calls made so far, the current one included: a size that grows on
    /// every call, without the memory behind it.
    pub size_inflation: usize,
}

impl KernelDouble {
    pub const PID: i32 = 4242;

    pub fn new(map: Vec<kinfo_vmentry>) -> Self {
        Self {
            map,
            others: BTreeMap::new(),
            walks: 0,
            probes: 0,
            locked_reads: 0,
            bytes_offered: 0,
            largest_buffer: 0,
            growth_per_call: 0,
            growth_factor: 1,
            fail_with: None,
            exit_after_calls: None,
            overstate_length: 0,
            cut_length: 0,
            always_enomem: false,
            size_inflation: 1,
        }
    }

    /// The map as the kernel packs it.
    pub fn packed(&self) -> Vec<u8> {
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

    /// The size `real` bytes of records need, as this call finds it.
    fn needed(&self, real: usize) -> usize {
        if self.size_inflation <= 1 {
            return real;
        }
        let calls = u32::try_from(self.walks).unwrap_or(u32::MAX);
        real.saturating_mul(self.size_inflation.saturating_pow(calls))
    }
}

impl VmmapSysctl for KernelDouble {
    fn vmmap_sysctl(
        &mut self,
        pid: i32,
        buf: Option<&mut [MaybeUninit<u8>]>,
    ) -> Result<usize, i32> {
        let main = pid == Self::PID;
        if main {
            let calls = self.walks;
            if self.exit_after_calls.is_some_and(|n| calls >= n) {
                return Err(libc::ESRCH);
            }
            if let Some(errno) = self.fail_with {
                return Err(errno);
            }
        } else if !self.others.contains_key(&pid) {
            return Err(libc::ESRCH);
        }
        self.walks += 1;
        let packed = match self.others.get(&pid) {
            Some(packed) => std::borrow::Cow::Borrowed(packed),
            None => std::borrow::Cow::Owned(self.packed()),
        };
        let needed = if main {
            self.needed(packed.len())
        } else {
            packed.len()
        };
        let result = match buf {
            None => {
                self.probes += 1;
                Ok(needed)
            }
            Some(buf) => {
                self.bytes_offered = self.bytes_offered.saturating_add(buf.len());
                self.largest_buffer = self.largest_buffer.max(buf.len());
                if buf.len() > 4 * PAGE {
                    self.locked_reads += 1;
                }
                for (dst, &src) in buf.iter_mut().zip(packed.iter()) {
                    dst.write(src);
                }
                if buf.len() < needed || (main && self.always_enomem) {
                    Err(libc::ENOMEM)
                } else if main {
                    Ok((packed.len() + self.overstate_length).saturating_sub(self.cut_length))
                } else {
                    Ok(packed.len())
                }
            }
        };
        if main {
            self.grow();
        }
        result
    }
}
