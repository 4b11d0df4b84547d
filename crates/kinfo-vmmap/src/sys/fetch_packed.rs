//! Fetching the packed records of `KERN_PROC_VMMAP` in one kernel walk,
//! without FreeBSD's system-wide sysctl lock whenever the map allows it.
//!
//! The kernel walks the whole map on every call, even for a size probe with
//! a NULL buffer, and the walk is the expensive part: resident page counts,
//! vnode path lookups, vnode attributes. libutil probes, then reads: two
//! walks, and a failure if the map outgrew its 4/3 slack in between.
//!
//! A read into a buffer over 4 pages also takes `sysctlmemlock`, exclusive
//! and system-wide, for its whole walk (`userland_sysctl` in
//! `kern_sysctl.c`), so it waits for, and holds up, every other large
//! sysctl read on the machine: ps, top, procstat. A buffer no larger than
//! `LOCK_FREE_READ` never takes it.
//!
//! So the first call for a pid reads straight into `LOCK_FREE_READ` bytes,
//! which hold about a hundred records: a small map costs one walk and no
//! lock. A map that did not fit is remembered, per pid, in `SizeHints`, and
//! the next call for that pid reads once into a buffer of the size learnt,
//! so that a tool reading many processes in turn (procstat -a, top) pays
//! one walk per process once it has seen each, and a small map read in
//! between does not make the next large one start over. The table is a few
//! KiB of atomics, fixed in size: no lock, no allocation, no std.
//!
//! When the kernel answers ENOMEM, the bytes it copied and the length it
//! reports say nothing about the size needed, so the size is probed (a probe
//! never takes the lock), and the read retried with slack on top of it; the
//! buffer at least doubles at each retry, so a map that grows between calls
//! is caught up with, and the number of attempts is bounded, so a map that
//! grows without end ends in a clean ENOMEM.
//!
//! The kernel is reached through `VmmapSysctl`, so the same code runs against
//! a kernel double in the tests on any OS.

use alloc::vec::Vec;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicU32, Ordering};

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

/// The smallest page size of any FreeBSD architecture.
pub(crate) const PAGE: usize = 4096;

/// The largest buffer the kernel reads into without `sysctlmemlock`:
/// `userland_sysctl` takes it when `oldlen > 4 * PAGE_SIZE`. Also the first
/// read's buffer for a pid with no hint: room for about a hundred records.
pub(crate) const LOCK_FREE_READ: usize = 4 * PAGE;

/// Reads attempted before giving up with ENOMEM. Each retry is sized from a
/// fresh probe plus a quarter and at least doubles the buffer, so only a map
/// that grows by more than that between two calls, every time, runs out.
pub(crate) const MAX_ATTEMPTS: usize = 4;

/// Slots of `SizeHints`, in buckets of `WAYS`.
const SLOTS: usize = 1024;
const WAYS: usize = 4;

/// The first buffer size for each pid whose map did not fit in
/// `LOCK_FREE_READ` bytes, learnt from its last successful read.
///
/// A slot is one `AtomicU32`: the pid's tag in the high half, the buffer
/// size in pages in the low half (0 for an empty slot, since a remembered
/// size is always over 4 pages). One word per entry means a reader never
/// sees one pid's tag with another's size; two threads updating the same
/// bucket at once can lose an update, which costs a later call a retry,
/// never a wrong map. A pid is hashed to a bucket of `WAYS` slots, and a
/// 16-bit tag tells the pids of a bucket apart; two pids that share a bucket
/// and a tag (one pair in 65,536) share a hint, which again costs at most a
/// retry or a needlessly locked read.
pub(crate) struct SizeHints([AtomicU32; SLOTS]);

impl SizeHints {
    pub(crate) const fn new() -> Self {
        Self([const { AtomicU32::new(0) }; SLOTS])
    }

    /// The slots of `pid`'s bucket, and the tag that marks its own.
    fn bucket(&self, pid: i32) -> (&[AtomicU32], u32) {
        // Fibonacci hashing, so that consecutive pids spread over buckets:
        // the high bits pick the bucket, the low half is the tag.
        let hash = (pid as u32).wrapping_mul(0x9E37_79B1);
        let buckets = SLOTS / WAYS;
        let first = (hash >> 24) as usize % buckets * WAYS;
        (&self.0[first..first + WAYS], hash << 16)
    }

    /// The first buffer size for `pid`: what its last read learnt, or
    /// `LOCK_FREE_READ`.
    fn get(&self, pid: i32) -> usize {
        let (slots, tag) = self.bucket(pid);
        slots
            .iter()
            .map(|slot| slot.load(Ordering::Relaxed))
            .find(|&word| holds(word, tag))
            .map_or(LOCK_FREE_READ, |word| pages_of(word) * PAGE)
    }

    /// Remembers a successful read of `len` bytes of `pid`'s records: with
    /// room to grow when they did not fit in `LOCK_FREE_READ`, and not at
    /// all when they did, so that the next read of a map that is (or, for a
    /// reused pid, has become) small takes no lock.
    fn learn(&self, pid: i32, len: usize) {
        let (slots, tag) = self.bucket(pid);
        let own = slots
            .iter()
            .find(|slot| holds(slot.load(Ordering::Relaxed), tag));
        if len <= LOCK_FREE_READ {
            if let Some(slot) = own {
                slot.store(0, Ordering::Relaxed);
            }
            return;
        }
        let pages = (with_slack(len) / PAGE).min(0xFFFF) as u32;
        // Else an empty slot, which holds 0 pages, else the smallest hint:
        // evicting it costs its pid two extra walks of the smallest map in
        // the bucket.
        let slot = own.unwrap_or_else(|| {
            let smallest = |a: &&AtomicU32, b: &&AtomicU32| {
                pages_of(a.load(Ordering::Relaxed)).cmp(&pages_of(b.load(Ordering::Relaxed)))
            };
            slots.iter().min_by(smallest).unwrap_or(&slots[0])
        });
        slot.store(tag | pages, Ordering::Relaxed);
    }
}

/// Whether a slot's `word` is the hint of the pid tagged `tag`.
fn holds(word: u32, tag: u32) -> bool {
    word & 0xFFFF_0000 == tag && pages_of(word) != 0
}

/// The buffer size, in pages, of a slot's `word`.
fn pages_of(word: u32) -> usize {
    (word & 0xFFFF) as usize
}

/// `len` plus a quarter, rounded up to whole pages.
fn with_slack(len: usize) -> usize {
    len.saturating_add(len / 4).saturating_add(PAGE - 1) / PAGE * PAGE
}

/// The packed records of `pid`'s map, as the kernel wrote them.
pub(crate) fn fetch_packed<K: VmmapSysctl>(
    kernel: &mut K,
    pid: i32,
    hints: &SizeHints,
) -> Result<Vec<u8>, Error> {
    let mut size = hints.get(pid);
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
                hints.learn(pid, len);
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

    fn fetch(kernel: &mut KernelDouble, hints: &SizeHints) -> Result<Vec<kinfo_vmentry>, Error> {
        let packed = fetch_packed(kernel, KernelDouble::PID, hints)?;
        Ok(unpack(&packed)?.as_raw().to_vec())
    }

    /// The packed records of a map of `entries` typical entries.
    fn packed(entries: usize) -> Vec<u8> {
        KernelDouble::new(typical_map(entries)).packed()
    }

    #[test]
    fn a_small_map_costs_one_walk_and_no_lock() {
        // Fewer entries under Miri, which is slow, for the same one walk.
        let entries = if cfg!(miri) { 25 } else { 100 };
        let map = typical_map(entries);
        let mut kernel = KernelDouble::new(map.clone());
        assert!(kernel.packed().len() <= LOCK_FREE_READ);
        let hints = SizeHints::new();
        for call in 1..=3 {
            let got = fetch(&mut kernel, &hints).unwrap();
            assert_eq!(
                (kernel.walks, kernel.probes, kernel.locked_reads),
                (call, 0, 0)
            );
            assert_eq!(got.len(), entries);
            for (got, want) in got.iter().zip(&map) {
                assert_eq!(
                    (got.kve_start, got.kve_type, got.kve_path),
                    (want.kve_start, want.kve_type, want.kve_path)
                );
            }
        }
        assert_eq!(kernel.largest_buffer, 4 * PAGE);
    }

    /// A map whose records take exactly `len` bytes, a multiple of 8 of at
    /// least 400: records of the smallest size, 144 bytes, and one longer
    /// one that makes up the rest.
    fn map_of_exactly(len: usize) -> Vec<kinfo_vmentry> {
        let small = len / 144 - 2;
        let last_path = len - small * 144 - 137;
        let mut map: Vec<kinfo_vmentry> = (0..small as u64)
            .map(|i| entry(0x10_0000 + i * 0x1000, ""))
            .collect();
        let end = 0x10_0000 + small as u64 * 0x1000;
        map.push(entry(end, &"p".repeat(last_path)));
        assert_eq!(KernelDouble::new(map.clone()).packed().len(), len);
        map
    }

    #[test]
    #[cfg_attr(miri, ignore = "too slow under Miri")]
    fn the_lock_is_taken_only_above_four_pages() {
        // Exactly 4 pages of records fit the lock-free buffer.
        let mut kernel = KernelDouble::new(map_of_exactly(4 * PAGE));
        fetch(&mut kernel, &SizeHints::new()).unwrap();
        assert_eq!(
            (kernel.walks, kernel.probes, kernel.locked_reads),
            (1, 0, 0)
        );
        // Eight bytes more do not: the lock-free read is cut short, a probe
        // (which never takes the lock) learns the size, and the read that
        // follows takes it.
        let mut kernel = KernelDouble::new(map_of_exactly(4 * PAGE + 8));
        fetch(&mut kernel, &SizeHints::new()).unwrap();
        assert_eq!(
            (kernel.walks, kernel.probes, kernel.locked_reads),
            (3, 1, 1)
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "too slow under Miri")]
    fn a_large_map_is_learnt_after_the_first_call() {
        let mut kernel = KernelDouble::new(typical_map(10_000));
        let hints = SizeHints::new();
        assert_eq!(fetch(&mut kernel, &hints).unwrap().len(), 10_000);
        // The first read is cut short, a probe learns the size, then a read.
        assert_eq!(
            (kernel.walks, kernel.probes, kernel.locked_reads),
            (3, 1, 1)
        );
        kernel.walks = 0;
        kernel.probes = 0;
        kernel.locked_reads = 0;
        assert_eq!(fetch(&mut kernel, &hints).unwrap().len(), 10_000);
        assert_eq!(
            (kernel.walks, kernel.probes, kernel.locked_reads),
            (1, 0, 1)
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "too slow under Miri")]
    fn a_pid_whose_map_became_small_reads_without_the_lock_again() {
        // As when the pid is reused by a small process.
        let mut kernel = KernelDouble::new(typical_map(1_000));
        let hints = SizeHints::new();
        fetch(&mut kernel, &hints).unwrap();
        kernel.map = typical_map(20);
        kernel.locked_reads = 0;
        // The first read still uses the large buffer it learnt; it fits,
        // and the small size makes the pid's hint go.
        fetch(&mut kernel, &hints).unwrap();
        assert_eq!(kernel.locked_reads, 1);
        fetch(&mut kernel, &hints).unwrap();
        assert_eq!(kernel.locked_reads, 1);
        assert_eq!(hints.get(KernelDouble::PID), LOCK_FREE_READ);
    }

    /// Pids that hash to the same bucket as `pid`, `pid` first.
    fn pids_sharing_a_bucket(pid: i32, count: usize) -> Vec<i32> {
        let hints = SizeHints::new();
        let bucket = hints.bucket(pid).0.as_ptr();
        (pid..)
            .filter(|&p| core::ptr::eq(hints.bucket(p).0.as_ptr(), bucket))
            .take(count)
            .collect()
    }

    #[test]
    fn pids_sharing_a_bucket_keep_their_own_hints() {
        let pids = pids_sharing_a_bucket(100, WAYS + 1);
        let hints = SizeHints::new();
        let len = |i: usize| (8 + i) * PAGE;
        for (i, &pid) in pids[..WAYS].iter().enumerate() {
            hints.learn(pid, len(i));
        }
        for (i, &pid) in pids[..WAYS].iter().enumerate() {
            assert_eq!(hints.get(pid), with_slack(len(i)), "pid {pid}");
        }
        // One more evicts the smallest, the first pid's; the rest stay.
        hints.learn(pids[WAYS], len(WAYS));
        assert_eq!(hints.get(pids[0]), LOCK_FREE_READ);
        for (i, &pid) in pids.iter().enumerate().skip(1) {
            assert_eq!(hints.get(pid), with_slack(len(i)), "pid {pid}");
        }
        // A small read forgets only its own pid's hint.
        hints.learn(pids[1], 100);
        assert_eq!(hints.get(pids[1]), LOCK_FREE_READ);
        assert_eq!(hints.get(pids[2]), with_slack(len(2)));
    }

    #[test]
    fn a_hint_too_large_for_its_slot_is_clamped() {
        let hints = SizeHints::new();
        hints.learn(7, usize::MAX);
        assert_eq!(hints.get(7), 0xFFFF * PAGE);
    }

    use crate::__internals::bench::Seeded;

    #[test]
    #[cfg_attr(miri, ignore = "too slow under Miri")]
    fn a_scan_of_many_pids_costs_one_walk_per_pid_once_warm() {
        // What procstat -a does: every pid in turn, small maps between
        // large ones, in an order that changes from one scan to the next.
        let mut rng = Seeded(0x5EED_CAFE);
        let mut kernel = KernelDouble::new(Vec::new());
        let mut pids = Vec::new();
        let mut large = 0;
        while pids.len() < 100 {
            let pid = 1 + rng.below(99_999) as i32;
            if pid == KernelDouble::PID || kernel.others.contains_key(&pid) {
                continue;
            }
            // 20 to 2,000 entries, as many small maps as large ones.
            let entries = [20, 60, 100, 300, 1_000, 2_000][rng.below(6)];
            let packed = packed(entries);
            large += usize::from(packed.len() > LOCK_FREE_READ);
            kernel.others.insert(pid, packed);
            pids.push(pid);
        }
        assert!(large > 40 && large < 60, "{large} large maps");
        let hints = SizeHints::new();
        for scan in 0..4 {
            for i in (1..pids.len()).rev() {
                pids.swap(i, rng.below(i + 1));
            }
            kernel.walks = 0;
            kernel.probes = 0;
            kernel.locked_reads = 0;
            for &pid in &pids {
                let got = fetch_packed(&mut kernel, pid, &hints).unwrap();
                assert_eq!(got, kernel.others[&pid]);
            }
            let cost = (kernel.walks, kernel.probes, kernel.locked_reads);
            if scan == 0 {
                // Each large map: a cut read, a probe, a locked read.
                assert_eq!(cost, (pids.len() + 2 * large, large, large));
            } else {
                assert_eq!(cost, (pids.len(), 0, large), "scan {scan}");
            }
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "too slow under Miri")]
    fn a_map_growing_between_calls_still_succeeds() {
        let mut kernel = KernelDouble::new(typical_map(2_000));
        // Every call, probes included, finds 15% more entries than the last.
        kernel.growth_per_call = 300;
        let hints = SizeHints::new();
        for _ in 0..5 {
            let got = fetch(&mut kernel, &hints).unwrap();
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
        let got = fetch(&mut kernel, &SizeHints::new());
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
            assert_eq!(fetch(&mut kernel, &SizeHints::new()).unwrap_err(), error);
        }
    }

    #[test]
    fn a_process_that_exits_during_a_retry_is_esrch() {
        let mut kernel = KernelDouble::new(typical_map(10_000));
        kernel.exit_after_calls = Some(1);
        assert_eq!(
            fetch(&mut kernel, &SizeHints::new()).unwrap_err(),
            Error::NoSuchProcess
        );
    }

    #[test]
    fn a_length_beyond_the_buffer_is_rejected() {
        let mut kernel = KernelDouble::new(typical_map(10));
        kernel.overstate_length = 1 << 20;
        assert!(matches!(
            fetch(&mut kernel, &SizeHints::new()),
            Err(Error::Malformed {
                reason: Malformed::LengthBeyondBuffer { .. },
                ..
            })
        ));
    }

    #[test]
    fn an_empty_map_is_an_empty_buffer() {
        let mut kernel = KernelDouble::new(Vec::new());
        assert!(fetch(&mut kernel, &SizeHints::new()).unwrap().is_empty());
    }

    /// What `freebsd::vmmap` does: fetch, then decode. The decoder is given
    /// a copy of exactly the bytes fetched, so that reading past them is out
    /// of bounds (for Miri or a sanitizer), not a read of spare capacity.
    fn fetch_and_unpack(kernel: &mut KernelDouble, hints: &SizeHints) -> Result<VmMap, Error> {
        let packed = fetch_packed(kernel, KernelDouble::PID, hints)?.into_boxed_slice();
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
            let got = fetch_and_unpack(&mut kernel, &SizeHints::new());
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
        let hints = SizeHints::new();
        for call in 1..=3 {
            assert_eq!(fetch(&mut kernel, &hints).unwrap_err(), Error::OutOfMemory);
            // A read per attempt and a probe between two, no more.
            assert_eq!(
                (kernel.walks, kernel.probes),
                ((2 * MAX_ATTEMPTS - 1) * call, (MAX_ATTEMPTS - 1) * call)
            );
        }
        // The buffer doubles at each attempt, and a failure teaches the hint
        // nothing: every call offers the same bytes.
        let per_call = LOCK_FREE_READ * ((1 << MAX_ATTEMPTS) - 1);
        assert_eq!(kernel.bytes_offered, 3 * per_call);
        assert_eq!(kernel.largest_buffer, LOCK_FREE_READ << (MAX_ATTEMPTS - 1));
    }

    #[test]
    #[cfg_attr(miri, ignore = "allocates a 95 MB buffer")]
    fn a_size_that_grows_on_every_call_ends_in_a_clean_enomem() {
        let mut kernel = KernelDouble::new(typical_map(120));
        // Every call finds 4 times the size the last one did.
        kernel.size_inflation = 4;
        let got = fetch(&mut kernel, &SizeHints::new());
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
        let got = fetch(&mut kernel, &SizeHints::new());
        assert_eq!(got.unwrap_err(), Error::OutOfMemory);
        // The first read is refused, the probe answers usize::MAX, and no
        // buffer of that size is asked of the allocator twice.
        assert_eq!((kernel.walks, kernel.probes), (2, 1));
        assert_eq!(kernel.largest_buffer, LOCK_FREE_READ);
    }

    #[test]
    fn slack_rounds_up_to_pages() {
        assert_eq!(with_slack(0), 0);
        assert_eq!(with_slack(1), PAGE);
        assert_eq!(with_slack(4 * PAGE), 5 * PAGE);
        assert_eq!(with_slack(usize::MAX), usize::MAX / PAGE * PAGE);
    }
}
