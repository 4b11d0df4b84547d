//! What the benchmarks reach inside for: the FreeBSD fetch strategy and the
//! kernel double it is tested against, so that `benches/` can count the
//! kernel walks, the locked reads and the bytes copied per call on any OS,
//! for one process or a scan of many, and run libutil's algorithm on the
//! same double for comparison.

use core::mem::MaybeUninit;

use super::kernel_double::KernelDouble;
use crate::abi::{KVME_TYPE_SWAP, KVME_TYPE_VNODE, kinfo_vmentry};
use crate::error::Error;
use crate::sys::fetch_packed::{self, VmmapSysctl};

/// The kernel double, counting what its callers cost it.
pub struct Kernel {
    double: KernelDouble,
    bytes_copied: usize,
    hook: Option<fn(bool)>,
}

impl Kernel {
    /// The one process the double knows.
    pub const PID: i32 = KernelDouble::PID;

    /// A kernel whose process `PID` has `map`, which stays as it is.
    pub fn new(map: Vec<kinfo_vmentry>) -> Self {
        Self {
            double: KernelDouble::new(map),
            bytes_copied: 0,
            hook: None,
        }
    }

    /// Walks of the map so far: every call walks it, size probes included.
    pub fn walks(&self) -> usize {
        self.double.walks
    }

    /// Another process, `pid`, whose map is `packed` (as `pack` writes
    /// it), and stays as it is.
    pub fn add_process(&mut self, pid: i32, packed: Vec<u8>) {
        assert_ne!(pid, Self::PID, "PID is the kernel's own process");
        self.double.others.insert(pid, packed);
    }

    /// Calls made with no buffer, to learn the size.
    pub fn probes(&self) -> usize {
        self.double.probes
    }

    /// Reads into a buffer over 4 pages, each of which holds FreeBSD's
    /// exclusive, system-wide `sysctlmemlock` for its whole walk.
    pub fn locked_reads(&self) -> usize {
        self.double.locked_reads
    }

    /// Bytes copied out to callers' buffers so far, including those of a
    /// buffer filled to its end before ENOMEM.
    pub fn bytes_copied(&self) -> usize {
        self.bytes_copied
    }

    pub fn reset_counts(&mut self) {
        self.double.walks = 0;
        self.double.probes = 0;
        self.double.locked_reads = 0;
        self.bytes_copied = 0;
    }

    /// Has `hook(true)` called as each call enters the kernel and
    /// `hook(false)` as it returns, so that a heap profiler can leave out
    /// what the double allocates to play the kernel.
    pub fn set_hook(&mut self, hook: fn(bool)) {
        self.hook = Some(hook);
    }

    /// `sysctl({CTL_KERN, KERN_PROC, KERN_PROC_VMMAP, pid}, buf, &len,
    /// NULL, 0)`: with a buffer, the length of the records copied into it,
    /// or ENOMEM with the buffer filled when they do not fit; without one,
    /// the size they need. Failures are errno values.
    pub fn sysctl(&mut self, pid: i32, buf: Option<&mut [MaybeUninit<u8>]>) -> Result<usize, i32> {
        let offered = buf.as_ref().map(|b| b.len());
        if let Some(hook) = self.hook {
            hook(true);
        }
        let result = self.double.vmmap_sysctl(pid, buf);
        if let Some(hook) = self.hook {
            hook(false);
        }
        self.bytes_copied += match (result, offered) {
            (Ok(len), Some(_)) => len,
            (Err(libc::ENOMEM), Some(offered)) => offered,
            _ => 0,
        };
        result
    }
}

impl VmmapSysctl for Kernel {
    fn vmmap_sysctl(
        &mut self,
        pid: i32,
        buf: Option<&mut [MaybeUninit<u8>]>,
    ) -> Result<usize, i32> {
        self.sysctl(pid, buf)
    }
}

/// The buffer sizes the fetch starts from, learnt per pid from earlier
/// calls; the library keeps one table for the whole process.
pub struct SizeHints(fetch_packed::SizeHints);

impl SizeHints {
    pub fn new() -> Self {
        Self(fetch_packed::SizeHints::new())
    }
}

impl Default for SizeHints {
    fn default() -> Self {
        Self::new()
    }
}

/// The library's fetch of the packed records of `pid`.
pub fn fetch_packed(kernel: &mut Kernel, pid: i32, hints: &SizeHints) -> Result<Vec<u8>, Error> {
    fetch_packed::fetch_packed(kernel, pid, &hints.0)
}

/// Appends `entry` to `out` packed as FreeBSD's kernel packs it.
pub fn pack(entry: &kinfo_vmentry, out: &mut Vec<u8>) {
    crate::unpack::pack(entry, out);
}

/// A map like a typical process's: a third anonymous, the rest a library.
pub fn typical_map(entries: usize) -> Vec<kinfo_vmentry> {
    (0..entries as u64)
        .map(|i| {
            let mut e = kinfo_vmentry::zeroed();
            e.kve_start = 0x10_0000 + i * 0x1000;
            e.kve_end = e.kve_start + 0x1000;
            if i % 3 == 0 {
                e.kve_type = KVME_TYPE_SWAP;
            } else {
                e.kve_type = KVME_TYPE_VNODE;
                for (dst, &src) in e.kve_path.iter_mut().zip(b"/usr/lib/libthr.so.3") {
                    *dst = src as core::ffi::c_char;
                }
            }
            e
        })
        .collect()
}

/// A fixed sequence of pseudo-random numbers (xorshift64*), so that a
/// scan's pids, sizes and order are the same on every run, for the tests
/// and the benches alike.
pub struct Seeded(pub u64);

impl Seeded {
    /// The next number of the sequence.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n`, near enough for a test.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `0.0..1.0`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Shuffles `items` in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}
