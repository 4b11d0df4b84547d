//! Fetching the packed records of `KERN_PROC_VMMAP` in one kernel walk.
//!
//! The kernel walks the whole map on every call, even for a size probe with
//! a NULL buffer, and the walk is the expensive part: resident page counts,
//! vnode path lookups, vnode attributes. libutil probes, then reads: two
//! walks, and a failure if the map outgrew its 4/3 slack in between.
//!
//! Here the first call goes straight to a read, into a buffer sized from the
//! previous call (at least `INITIAL_BUFFER`), so the common case is a single
//! walk. When the kernel answers ENOMEM, the bytes it copied and the length
//! it reports say nothing about the size needed, so the size is probed, and
//! the read retried with slack on top of it; the buffer at least doubles at
//! each retry, so a map that grows between calls is caught up with, and the
//! number of attempts is bounded, so a map that grows without end ends in a
//! clean ENOMEM.
//!
//! The kernel is reached through `VmmapSysctl`, so the same code runs against
//! a kernel double in the tests on any OS.

use alloc::vec::Vec;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Malformed};

/// The one kernel call the fetch needs:
/// `sysctl({CTL_KERN, KERN_PROC, KERN_PROC_VMMAP, pid}, buf, &len, NULL, 0)`.
pub(crate) trait VmmapSysctl {
    /// With a buffer: fills it with packed records and returns the length
    /// written, or `ENOMEM` when they did not fit. Without one: returns the
    /// size the records need now. Failures are errno values.
    fn vmmap_sysctl(&mut self, pid: i32, buf: Option<&mut [MaybeUninit<u8>]>)
    -> Result<usize, i32>;
}

/// The first read's buffer when nothing has been learnt yet: room for about
/// 400 records, more than most processes map.
pub(crate) const INITIAL_BUFFER: usize = 64 * 1024;

/// Reads attempted before giving up with ENOMEM. Each retry is sized from a
/// fresh probe plus a quarter and at least doubles the buffer, so only a map
/// that grows by more than that between two calls, every time, runs out.
pub(crate) const MAX_ATTEMPTS: usize = 4;

const PAGE: usize = 4096;

/// The buffer size to start from, learnt from the previous successful read.
pub(crate) struct SizeHint(AtomicUsize);

impl SizeHint {
    pub(crate) const fn new() -> Self {
        Self(AtomicUsize::new(INITIAL_BUFFER))
    }

    fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed).max(INITIAL_BUFFER)
    }

    /// Remembers a successful read of `len` bytes, with room to grow.
    fn learn(&self, len: usize) {
        self.0.store(with_slack(len), Ordering::Relaxed);
    }
}

/// `len` plus a quarter, rounded up to whole pages.
fn with_slack(len: usize) -> usize {
    len.saturating_add(len / 4).saturating_add(PAGE - 1) / PAGE * PAGE
}

/// The packed records of `pid`'s map, as the kernel wrote them.
pub(crate) fn fetch_packed<K: VmmapSysctl>(
    kernel: &mut K,
    pid: i32,
    hint: &SizeHint,
) -> Result<Vec<u8>, Error> {
    let mut size = hint.get();
    for attempt in 1..=MAX_ATTEMPTS {
        let mut buf = Vec::new();
        buf.try_reserve_exact(size)
            .map_err(|_| Error::OutOfMemory)?;
        let capacity = buf.capacity();
        match kernel.vmmap_sysctl(pid, Some(buf.spare_capacity_mut())) {
            Ok(len) if len > capacity => {
                return Err(Error::Malformed {
                    offset: 0,
                    reason: Malformed::LengthBeyondBuffer {
                        reported: len,
                        capacity,
                    },
                });
            }
            Ok(len) => {
                // SAFETY: the kernel initialised the first `len` bytes, and
                // `len <= capacity` was checked above.
                unsafe { buf.set_len(len) };
                hint.learn(len);
                return Ok(buf);
            }
            // After the last read, a probe would be a walk for nothing.
            Err(libc::ENOMEM) if attempt == MAX_ATTEMPTS => break,
            Err(libc::ENOMEM) => {
                drop(buf);
                let needed = kernel.vmmap_sysctl(pid, None).map_err(Error::from_errno)?;
                size = with_slack(needed).max(size.saturating_mul(2));
            }
            Err(errno) => return Err(Error::from_errno(errno)),
        }
    }
    Err(Error::OutOfMemory)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::__internals::kernel_double::KernelDouble;
    use crate::abi::{KVME_TYPE_SWAP, kinfo_vmentry};
    use crate::unpack::tests::entry;
    use crate::unpack::unpack;
    use crate::vmmap::VmMap;

    fn typical_map(entries: usize) -> Vec<kinfo_vmentry> {
        (0..entries as u64)
            .map(|i| {
                let mut e = entry(0x10_0000 + i * 0x1000, "/usr/lib/libthr.so.3");
                if i % 3 == 0 {
                    e.kve_type = KVME_TYPE_SWAP;
                    e.kve_path = [0; 1024];
                }
                e
            })
            .collect()
    }

    fn fetch(kernel: &mut KernelDouble, hint: &SizeHint) -> Result<Vec<kinfo_vmentry>, Error> {
        let packed = fetch_packed(kernel, KernelDouble::PID, hint)?;
        Ok(unpack(&packed)?.as_raw().to_vec())
    }

    #[test]
    fn a_typical_map_costs_one_walk() {
        // Fewer entries under Miri, which is slow, for the same one walk.
        let entries = if cfg!(miri) { 25 } else { 250 };
        let map = typical_map(entries);
        let mut kernel = KernelDouble::new(map.clone());
        let got = fetch(&mut kernel, &SizeHint::new()).unwrap();
        assert_eq!(kernel.walks, 1);
        assert_eq!(kernel.probes, 0);
        assert_eq!(got.len(), entries);
        for (got, want) in got.iter().zip(&map) {
            assert_eq!(
                (got.kve_start, got.kve_type, got.kve_path),
                (want.kve_start, want.kve_type, want.kve_path)
            );
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "too slow under Miri")]
    fn a_large_map_is_learnt_after_the_first_call() {
        let mut kernel = KernelDouble::new(typical_map(10_000));
        let hint = SizeHint::new();
        assert_eq!(fetch(&mut kernel, &hint).unwrap().len(), 10_000);
        // The first read is cut short, a probe learns the size, then a read.
        assert_eq!((kernel.walks, kernel.probes), (3, 1));
        kernel.walks = 0;
        kernel.probes = 0;
        assert_eq!(fetch(&mut kernel, &hint).unwrap().len(), 10_000);
        assert_eq!((kernel.walks, kernel.probes), (1, 0));
    }

    #[test]
    #[cfg_attr(miri, ignore = "too slow under Miri")]
    fn a_map_growing_between_calls_still_succeeds() {
        let mut kernel = KernelDouble::new(typical_map(2_000));
        // Every call, probes included, finds 15% more entries than the last.
        kernel.growth_per_call = 300;
        let hint = SizeHint::new();
        for _ in 0..5 {
            let got = fetch(&mut kernel, &hint).unwrap();
            // What was read is the map as the last read saw it, before the
            // growth that followed that read.
            assert_eq!(got.len(), kernel.map.len() - kernel.growth_per_call);
            assert!(got.windows(2).all(|w| w[0].kve_end <= w[1].kve_start));
        }
        // The first call outgrew its buffer and retried; the slack learnt
        // from it absorbed the growth after that.
        assert_eq!((kernel.walks, kernel.probes), (3 + 4, 1));
    }

    #[test]
    #[cfg_attr(miri, ignore = "too slow under Miri")]
    fn a_map_that_outgrows_every_buffer_ends_in_enomem() {
        let mut kernel = KernelDouble::new(typical_map(500));
        kernel.growth_factor = 2;
        let got = fetch(&mut kernel, &SizeHint::new());
        assert_eq!(got.unwrap_err(), Error::OutOfMemory);
        assert_eq!(kernel.walks, 2 * MAX_ATTEMPTS - 1);
    }

    #[test]
    fn kernel_errors_pass_through() {
        for (errno, error) in [
            (libc::ESRCH, Error::NoSuchProcess),
            (libc::EPERM, Error::PermissionDenied),
            (libc::EFAULT, Error::Os(libc::EFAULT)),
        ] {
            let mut kernel = KernelDouble::new(typical_map(10));
            kernel.fail_with = Some(errno);
            assert_eq!(fetch(&mut kernel, &SizeHint::new()).unwrap_err(), error);
        }
    }

    #[test]
    fn a_process_that_exits_during_a_retry_is_esrch() {
        let mut kernel = KernelDouble::new(typical_map(10_000));
        kernel.exit_after_calls = Some(1);
        assert_eq!(
            fetch(&mut kernel, &SizeHint::new()).unwrap_err(),
            Error::NoSuchProcess
        );
    }

    #[test]
    fn a_length_beyond_the_buffer_is_rejected() {
        let mut kernel = KernelDouble::new(typical_map(10));
        kernel.overstate_length = 1 << 20;
        assert!(matches!(
            fetch(&mut kernel, &SizeHint::new()),
            Err(Error::Malformed {
                reason: Malformed::LengthBeyondBuffer { .. },
                ..
            })
        ));
    }

    #[test]
    fn an_empty_map_is_an_empty_buffer() {
        let mut kernel = KernelDouble::new(Vec::new());
        assert!(fetch(&mut kernel, &SizeHint::new()).unwrap().is_empty());
    }

    /// What `freebsd::vmmap` does: fetch, then decode. The decoder is given
    /// a copy of exactly the bytes fetched, so that reading past them is out
    /// of bounds (for Miri or a sanitizer), not a read of spare capacity.
    fn fetch_and_unpack(kernel: &mut KernelDouble, hint: &SizeHint) -> Result<VmMap, Error> {
        let packed = fetch_packed(kernel, KernelDouble::PID, hint)?.into_boxed_slice();
        unpack(&packed)
    }

    #[test]
    fn a_read_that_cuts_its_last_record_short_is_einval() {
        let map = typical_map(5);
        let whole = KernelDouble::new(map.clone()).packed().len();
        let head = KernelDouble::new(map[..4].to_vec()).packed().len();
        let last = whole - head;
        // Under Miri, which is slow, the cuts at the edges of the size
        // field and of the record.
        let cuts: Vec<usize> = if cfg!(miri) {
            vec![1, 2, last - 5, last - 4, last - 3, last - 1, last]
        } else {
            (1..=last).collect()
        };
        for cut in cuts {
            let mut kernel = KernelDouble::new(map.clone());
            kernel.cut_length = cut;
            let got = fetch_and_unpack(&mut kernel, &SizeHint::new());
            assert_eq!(kernel.walks, 1);
            if cut == last {
                // Whole records only: a shorter map, but a valid one.
                assert_eq!(got.unwrap().len(), 4);
                continue;
            }
            // Cut in its body (`PastEnd`) or in its size (`TrailingFragment`):
            // either way EINVAL, blamed on the last record.
            let error = got.unwrap_err();
            assert_eq!(error.errno(), libc::EINVAL, "cut {cut}: {error:?}");
            assert!(
                matches!(error, Error::Malformed { offset, .. } if offset == head),
                "cut {cut}: {error:?}"
            );
        }
    }

    #[test]
    fn an_endless_stream_of_enomem_ends_in_a_clean_enomem() {
        let mut kernel = KernelDouble::new(typical_map(10));
        kernel.always_enomem = true;
        let hint = SizeHint::new();
        for call in 1..=3 {
            assert_eq!(fetch(&mut kernel, &hint).unwrap_err(), Error::OutOfMemory);
            // A read per attempt and a probe between two, no more.
            assert_eq!(
                (kernel.walks, kernel.probes),
                ((2 * MAX_ATTEMPTS - 1) * call, (MAX_ATTEMPTS - 1) * call)
            );
        }
        // The buffer doubles at each attempt, and a failure teaches the hint
        // nothing: every call offers the same bytes.
        let per_call = INITIAL_BUFFER * ((1 << MAX_ATTEMPTS) - 1);
        assert_eq!(kernel.bytes_offered, 3 * per_call);
        assert_eq!(kernel.largest_buffer, INITIAL_BUFFER << (MAX_ATTEMPTS - 1));
    }

    #[test]
    #[cfg_attr(miri, ignore = "allocates a 95 MB buffer")]
    fn a_size_that_grows_on_every_call_ends_in_a_clean_enomem() {
        let mut kernel = KernelDouble::new(typical_map(120));
        // Every call finds 4 times the size the last one did.
        kernel.size_inflation = 4;
        let got = fetch(&mut kernel, &SizeHint::new());
        assert_eq!(got.unwrap_err(), Error::OutOfMemory);
        assert_eq!(
            (kernel.walks, kernel.probes),
            (2 * MAX_ATTEMPTS - 1, MAX_ATTEMPTS - 1)
        );
        // Each buffer is sized from the probe before it, with its slack, and
        // nothing beyond: the largest from the call before the last read,
        // which claimed 4 to the power of its own number times the real size.
        let real = KernelDouble::new(typical_map(120)).packed().len();
        let last_sized_from = real * 4usize.pow(2 * MAX_ATTEMPTS as u32 - 2);
        assert_eq!(kernel.largest_buffer, with_slack(last_sized_from));
    }

    #[test]
    fn a_size_too_large_to_allocate_is_enomem_not_an_abort() {
        let mut kernel = KernelDouble::new(typical_map(10));
        kernel.size_inflation = usize::MAX;
        let got = fetch(&mut kernel, &SizeHint::new());
        assert_eq!(got.unwrap_err(), Error::OutOfMemory);
        // The first read is refused, the probe answers usize::MAX, and no
        // buffer of that size is asked of the allocator twice.
        assert_eq!((kernel.walks, kernel.probes), (2, 1));
        assert_eq!(kernel.largest_buffer, INITIAL_BUFFER);
    }

    #[test]
    fn slack_rounds_up_to_pages() {
        assert_eq!(with_slack(0), 0);
        assert_eq!(with_slack(1), PAGE);
        assert_eq!(with_slack(4 * PAGE), 5 * PAGE);
        assert_eq!(with_slack(usize::MAX), usize::MAX / PAGE * PAGE);
    }
}
