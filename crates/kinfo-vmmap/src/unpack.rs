//! The packed-record decoder: the kernel's bytes in, fixed records out.
//!
//! `KERN_PROC_VMMAP` and the `NT_PROCSTAT_VMMAP` note of a core file both
//! hold `struct kinfo_vmentry` records cut short after the NUL of `kve_path`
//! and padded to 8 bytes, each prefixed by its own `kve_structsize`.
//! libutil trusts those sizes; this decoder checks every one before it reads
//! a byte of the record, in a first pass that also counts the records, so
//! the output is allocated once at its exact size and a bad buffer fails
//! before anything is allocated. Nothing here knows which OS produced the
//! bytes.

use core::mem::MaybeUninit;
use core::ptr;

use crate::abi::{ENTRY_SIZE, KINFO_VMENTRY_SIZE, KVE_HEADER_SIZE, KVE_PATH_SIZE, kinfo_vmentry};
use crate::error::{Error, Malformed};
use crate::vmmap::VmMap;

/// `kve_structsize` is the record's first field, a C `int`.
const SIZE_FIELD: usize = core::mem::size_of::<i32>();

/// The records of a packed buffer, each checked before it is yielded.
struct Records<'a> {
    packed: &'a [u8],
    offset: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<&'a [u8], Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let at = self.offset;
        prefetch(self.packed.as_ptr().wrapping_add(at + PREFETCH_AHEAD));
        let rest = &self.packed[at..];
        let checked = match rest.first_chunk::<SIZE_FIELD>() {
            None if rest.is_empty() => return None,
            None => Err(Malformed::TrailingFragment(rest.len())),
            // Records need not be aligned, so the size is read as bytes.
            Some(size_bytes) => match i32::from_ne_bytes(*size_bytes) {
                // A zero size ends the list, as in libutil and libprocstat.
                0 => {
                    self.offset = self.packed.len();
                    return None;
                }
                s if i64::from(s) < KVE_HEADER_SIZE as i64 => Err(Malformed::TooSmall(s)),
                s if s as usize > ENTRY_SIZE => Err(Malformed::TooLarge(s)),
                s if s as usize > rest.len() => Err(Malformed::PastEnd {
                    structsize: s,
                    remaining: rest.len(),
                }),
                s => Ok(&rest[..s as usize]),
            },
        };
        // After an error the walk is over: nothing past it is trusted.
        self.offset = match checked {
            Ok(record) => at + record.len(),
            Err(_) => self.packed.len(),
        };
        Some(checked.map_err(|reason| Error::Malformed { offset: at, reason }))
    }
}

/// How far ahead of the record being read the next lines are fetched.
///
/// Each record's offset is known only once the size before it is read, so
/// a walk over the sizes is a chain of dependent loads; when the buffer is
/// no longer in the nearest caches (the output written since evicts it),
/// every link costs a full cache miss, and the counting pass came to a
/// sixth of the whole decode. Records are 136 to 1160 bytes, typically
/// under 200: a kilobyte ahead is a few records, soon enough to hide the
/// latency, near enough not to fetch much past the end.
const PREFETCH_AHEAD: usize = 1024;

/// Asks for the cache line at `addr` ahead of its use. A hint only: it
/// never faults, whatever the address, and reads nothing into the program.
#[inline(always)]
fn prefetch(addr: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 is SSE, part of every x86_64 CPU, and has no
    // effect on memory or on the program's state, valid address or not.
    // (The intrinsic became a safe function after this crate's MSRV.)
    #[allow(unused_unsafe)]
    unsafe {
        use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(addr.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = addr;
}

fn records(packed: &[u8]) -> Records<'_> {
    Records { packed, offset: 0 }
}

/// The number of records in `packed`, or why it is malformed.
pub fn count(packed: &[u8]) -> Result<usize, Error> {
    records(packed).try_fold(0usize, |n, record| record.map(|_| n + 1))
}

/// Output sizes from which the array is taken from `calloc(3)` and only
/// the records are copied into it: glibc serves a block this large (its
/// largest mmap threshold, 32 MiB on 64-bit systems) with fresh pages from
/// the kernel, zeroed as they fault in, so `calloc` need not write a byte
/// (jemalloc likewise skips the `memset` for extents fresh from the
/// kernel). A smaller block is usually reused heap, which `calloc` would
/// `memset` whole before the copy went over it again; below this size
/// each entry is instead zeroed behind its record as it is written, one
/// pass. Measured by `benches/decode.rs`.
const FRESH_FROM_CALLOC: usize = 32 << 20;

/// Expands one checked record into a full entry: the record's bytes, zeros
/// after them, the full `kve_structsize`, and a NUL-terminated `kve_path`.
/// `zeroed` says the slot's bytes are all zero already.
#[inline]
fn expand(record: &[u8], slot: &mut MaybeUninit<kinfo_vmentry>, zeroed: bool) {
    debug_assert!((KVE_HEADER_SIZE..=ENTRY_SIZE).contains(&record.len()));
    let dst = slot.as_mut_ptr().cast::<u8>();
    // SAFETY: `record.len() <= ENTRY_SIZE` (checked by `Records`), so both
    // writes stay inside the slot, which cannot overlap the borrowed input.
    unsafe {
        ptr::copy_nonoverlapping(record.as_ptr(), dst, record.len());
        if !zeroed {
            ptr::write_bytes(dst.add(record.len()), 0, ENTRY_SIZE - record.len());
        }
    }
    // SAFETY: every byte of the slot was written above or was zero, and
    // every bit pattern is a valid `kinfo_vmentry`.
    let entry = unsafe { slot.assume_init_mut() };
    entry.kve_structsize = KINFO_VMENTRY_SIZE;
    // A full-size record may carry a path with no NUL in it.
    entry.kve_path[KVE_PATH_SIZE - 1] = 0;
}

/// Decodes packed `struct kinfo_vmentry` records into fixed ones.
///
/// A `kve_structsize` of 0 ends the list. A record whose size is below 136
/// bytes, above 1160, or runs past the end of `packed`, or a trailing
/// fragment too short for a size, fails with `Error::Malformed`.
pub fn unpack(packed: &[u8]) -> Result<VmMap, Error> {
    let total = count(packed)?;
    let zeroed = total.saturating_mul(ENTRY_SIZE) >= FRESH_FROM_CALLOC;
    let mut map = if zeroed {
        VmMap::with_zeroed_capacity(total)?
    } else {
        VmMap::with_capacity(total)?
    };
    for record in records(packed) {
        let record = record?;
        let slot = map
            .next_slot()
            .expect("the map has room for every record counted");
        expand(record, slot, zeroed);
        // SAFETY: `expand` initialised every byte of the slot.
        unsafe { map.commit() };
    }
    Ok(map)
}

/// Appends `entry` to `out` packed as FreeBSD's kernel packs it: the
/// fixed head, the path and its NUL, rounded up to 8 bytes.
#[cfg(feature = "internals")]
pub fn pack(entry: &kinfo_vmentry, out: &mut Vec<u8>) {
    let path_len = entry
        .kve_path
        .iter()
        .position(|&c| c == 0)
        .unwrap_or(KVE_PATH_SIZE - 1);
    let size = (KVE_HEADER_SIZE + path_len + 1)
        .next_multiple_of(8)
        .min(ENTRY_SIZE);
    let mut record = *entry;
    record.kve_structsize = size as i32;
    // SAFETY: `kinfo_vmentry` is plain data with no padding bytes (its
    // layout is asserted in `abi`), so viewing it as bytes is sound.
    let bytes =
        unsafe { core::slice::from_raw_parts((&raw const record).cast::<u8>(), ENTRY_SIZE) };
    out.extend_from_slice(&bytes[..size]);
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::abi::KVME_TYPE_VNODE;

    pub(crate) use super::pack;

    pub(crate) fn entry(start: u64, path: &str) -> kinfo_vmentry {
        let mut e = kinfo_vmentry::zeroed();
        e.kve_type = KVME_TYPE_VNODE;
        e.kve_start = start;
        e.kve_end = start + 0x1000;
        e.kve_resident = 3;
        for (dst, &src) in e.kve_path.iter_mut().zip(path.as_bytes()) {
            *dst = src as core::ffi::c_char;
        }
        e
    }

    /// The obvious decoder, field by field, for comparison.
    fn reference(packed: &[u8]) -> Vec<[u8; ENTRY_SIZE]> {
        let mut out = Vec::new();
        let mut at = 0;
        while at + 4 <= packed.len() {
            let size = i32::from_ne_bytes(packed[at..at + 4].try_into().unwrap()) as usize;
            if size == 0 {
                break;
            }
            let mut full = [0u8; ENTRY_SIZE];
            full[..size].copy_from_slice(&packed[at..at + size]);
            full[..4].copy_from_slice(&(ENTRY_SIZE as i32).to_ne_bytes());
            full[ENTRY_SIZE - 1] = 0;
            out.push(full);
            at += size;
        }
        out
    }

    fn as_bytes(map: &VmMap) -> Vec<[u8; ENTRY_SIZE]> {
        map.iter()
            .map(|e| {
                // SAFETY: as in `pack`.
                let bytes = unsafe {
                    core::slice::from_raw_parts(
                        (e.as_raw() as *const kinfo_vmentry).cast::<u8>(),
                        ENTRY_SIZE,
                    )
                };
                bytes.try_into().unwrap()
            })
            .collect()
    }

    fn packed(entries: &[kinfo_vmentry]) -> Vec<u8> {
        let mut out = Vec::new();
        entries.iter().for_each(|e| pack(e, &mut out));
        out
    }

    fn put_size(buf: &mut [u8], at: usize, size: i32) {
        buf[at..at + 4].copy_from_slice(&size.to_ne_bytes());
    }

    #[test]
    fn decodes_like_the_reference() {
        let entries: Vec<_> = (0..40)
            .map(|i| entry(0x1000 * i, &"/lib/x".repeat(i as usize * 3)))
            .collect();
        let buf = packed(&entries);
        let map = unpack(&buf).unwrap();
        assert_eq!(map.len(), 40);
        assert_eq!(as_bytes(&map), reference(&buf));
        for (got, want) in map.iter().zip(&entries) {
            assert_eq!(got.kve_structsize, 1160);
            assert_eq!(got.kve_start, want.kve_start);
            assert_eq!(got.kve_resident, 3);
            assert_eq!(got.kve_path[..], want.kve_path[..]);
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "too slow under Miri")]
    fn an_output_large_enough_for_calloc_decodes_alike() {
        let records = FRESH_FROM_CALLOC / ENTRY_SIZE + 1;
        let entries: Vec<_> = (0..records)
            .map(|i| entry(0x1000 * i as u64, ["", "/lib/libc.so.7", "/x"][i % 3]))
            .collect();
        let buf = packed(&entries);
        let map = unpack(&buf).unwrap();
        assert_eq!(map.len(), records);
        assert!(as_bytes(&map) == reference(&buf));
    }

    #[test]
    fn zero_size_ends_the_list() {
        let mut buf = packed(&[entry(0x1000, "/a"), entry(0x2000, "/b")]);
        let first = buf.len() / 2;
        put_size(&mut buf, first, 0);
        assert_eq!(unpack(&buf).unwrap().len(), 1);
        assert_eq!(unpack(&[0; 8]).unwrap().len(), 0);
    }

    #[test]
    fn empty_input_gives_an_empty_map() {
        assert!(unpack(&[]).unwrap().is_empty());
    }

    #[test]
    fn unaligned_records_decode() {
        let buf = packed(&[entry(0x1000, "/a"), entry(0x2000, "/bb")]);
        let mut shifted = vec![0u8; 3];
        shifted.extend_from_slice(&buf);
        let map = unpack(&shifted[3..]).unwrap();
        assert_eq!(map[1].kve_start, 0x2000);
    }

    #[test]
    fn bytes_past_the_record_are_zeroed_and_path_terminated() {
        let mut e = entry(0x1000, "/x");
        e._kve_ispare = [7; 8];
        let mut buf = packed(&[e]);
        // Garbage after the path's NUL, inside the record, survives; the
        // bytes after the record are zero.
        let last = buf.len() - 1;
        buf[last] = b'z';
        let got = &unpack(&buf).unwrap()[0];
        assert_eq!(got._kve_ispare, [7; 8]);
        assert!(
            got.kve_path[buf.len() - KVE_HEADER_SIZE..]
                .iter()
                .all(|&c| c == 0)
        );
    }

    #[test]
    fn a_full_size_path_without_nul_is_terminated() {
        let mut e = entry(0x1000, "");
        e.kve_path = [b'p' as core::ffi::c_char; KVE_PATH_SIZE];
        e.kve_structsize = 1160;
        // SAFETY: as in `pack`.
        let bytes = unsafe { core::slice::from_raw_parts((&raw const e).cast::<u8>(), ENTRY_SIZE) };
        let got = &unpack(bytes).unwrap()[0];
        assert_eq!(got.kve_path[KVE_PATH_SIZE - 1], 0);
        assert_eq!(got.kve_path[KVE_PATH_SIZE - 2], b'p' as core::ffi::c_char);
    }

    fn reason(buf: &[u8]) -> (usize, Malformed) {
        match unpack(buf) {
            Err(Error::Malformed { offset, reason }) => (offset, reason),
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn sizes_below_the_head_are_rejected() {
        let mut buf = packed(&[entry(0x1000, "/a"), entry(0x2000, "/b")]);
        let second = buf.len() / 2;
        for bad in [1, 4, 135, -1, i32::MIN] {
            put_size(&mut buf, second, bad);
            assert_eq!(reason(&buf), (second, Malformed::TooSmall(bad)));
        }
    }

    #[test]
    fn sizes_above_the_struct_are_rejected() {
        let mut buf = vec![0u8; 4096];
        for bad in [1161, 4096, i32::MAX] {
            put_size(&mut buf, 0, bad);
            assert_eq!(reason(&buf), (0, Malformed::TooLarge(bad)));
        }
    }

    #[test]
    fn a_record_running_past_the_end_is_rejected() {
        let buf = packed(&[entry(0x1000, "/a"), entry(0x2000, "/long/path")]);
        let cut = &buf[..buf.len() - 8];
        let second = packed(&[entry(0x1000, "/a")]).len();
        assert!(matches!(reason(cut), (at, Malformed::PastEnd { .. }) if at == second));
    }

    #[test]
    fn a_trailing_fragment_is_rejected() {
        let mut buf = packed(&[entry(0x1000, "/a")]);
        let end = buf.len();
        buf.extend_from_slice(&[1, 2, 3]);
        assert_eq!(reason(&buf), (end, Malformed::TrailingFragment(3)));
        assert_eq!(reason(&[9]), (0, Malformed::TrailingFragment(1)));
    }

    #[test]
    fn every_truncation_of_a_valid_buffer_is_rejected_or_a_prefix() {
        let entries: Vec<_> = (0..5)
            .map(|i| entry(0x1000 * i, "/usr/lib/libc.so.7"))
            .collect();
        let buf = packed(&entries);
        for len in 0..buf.len() {
            // A heap copy of exactly `len` bytes, so a read past it is caught
            // by Miri or a sanitizer.
            let cut = buf[..len].to_vec();
            match unpack(&cut) {
                Ok(map) => assert_eq!(as_bytes(&map), reference(&cut)),
                Err(Error::Malformed { .. }) => {}
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
    }
}
