//! The checks behind the fuzz targets in `fuzz/`: arbitrary bytes in, a
//! panic out when the code under test breaks a promise or disagrees with
//! an obvious reference written here.
//!
//! They live in the crate, not in `fuzz/`, because what they drive is
//! private: the Linux text parser and entry builder, and the C face called
//! as C calls it. They are built only for the fuzzer (cargo-fuzz sets
//! `cfg(fuzzing)`) and for the tests, which run the committed seed corpus
//! (`fuzz/corpus/`) through the same checks, so a corpus entry that once
//! found a bug stays a regression test in `cargo test`.
//!
//! Each reference is written from the format, line by line, for clarity
//! and not speed, so that the fast code (word-wide scans, SSE2 newline
//! masks, eight hex digits at a time) is held against something plainly
//! right.

use core::ffi::c_int;

use crate::abi::{ENTRY_SIZE, KINFO_VMENTRY_SIZE, KVE_HEADER_SIZE, kinfo_vmentry};
use crate::error::Error;
use crate::procfs::fuzz_access::{
    Field, Lines, SmapsLine, VmFlags, parse_map_line, parse_smaps_line, parse_stat, unescape_path,
};

// ---------------------------------------------------------------------------
// The packed-record decoder and its C face

/// Decodes `data` with `unpack` and with the C face's
/// `kinfo_vmmap_unpack`, and holds both against the reference decoder:
/// the same entries byte for byte, or a failure at the same offset
/// (EINVAL, a NULL array and a count of 0 from C).
pub fn unpack(data: &[u8]) {
    let want = reference_unpack(data);
    match (crate::unpack(data), &want) {
        (Ok(map), Ok(entries)) => {
            assert_eq!(map.len(), entries.len());
            for (got, want) in map.iter().zip(entries) {
                assert_eq!(entry_bytes(got), want);
            }
        }
        (Err(Error::Malformed { offset, .. }), Err(at)) => assert_eq!(offset, *at),
        (got, want) => panic!("unpack gave {got:?}, the reference {want:?}"),
    }

    let mut count: c_int = -1;
    // SAFETY: `data` is readable for its length, and `count` is a live int.
    let array =
        unsafe { crate::capi::kinfo_vmmap_unpack(data.as_ptr().cast(), data.len(), &mut count) };
    let errno = std::io::Error::last_os_error().raw_os_error();
    match &want {
        Ok(entries) => {
            assert!(!array.is_null(), "NULL for a valid buffer, errno {errno:?}");
            assert_eq!(usize::try_from(count).ok(), Some(entries.len()));
            // An empty array may be a 1-byte block, not aligned for an
            // entry: no slice is made of it.
            if !entries.is_empty() {
                // SAFETY: a non-NULL result holds `count` entries.
                let got = unsafe { core::slice::from_raw_parts(array, entries.len()) };
                for (got, want) in got.iter().zip(entries) {
                    assert_eq!(entry_bytes(got), want);
                }
            }
            // SAFETY: the array came from malloc and is freed once.
            unsafe { libc::free(array.cast()) };
        }
        Err(_) => {
            assert!(array.is_null(), "an array for a malformed buffer");
            assert_eq!((count, errno), (0, Some(libc::EINVAL)));
        }
    }
}

/// The entries of a packed buffer, each as its 1160 bytes, or the offset
/// of the first record that is not valid.
fn reference_unpack(packed: &[u8]) -> Result<Vec<[u8; ENTRY_SIZE]>, usize> {
    let mut entries = Vec::new();
    let mut at = 0;
    while at < packed.len() {
        let left = packed.len() - at;
        if left < 4 {
            return Err(at);
        }
        let size = i32::from_ne_bytes(packed[at..at + 4].try_into().unwrap());
        if size == 0 {
            break;
        }
        let size = match usize::try_from(size) {
            Ok(size) if (KVE_HEADER_SIZE..=ENTRY_SIZE).contains(&size) && size <= left => size,
            _ => return Err(at),
        };
        let mut entry = [0u8; ENTRY_SIZE];
        entry[..size].copy_from_slice(&packed[at..at + size]);
        entry[..4].copy_from_slice(&KINFO_VMENTRY_SIZE.to_ne_bytes());
        entry[ENTRY_SIZE - 1] = 0;
        entries.push(entry);
        at += size;
    }
    Ok(entries)
}

fn entry_bytes(entry: &kinfo_vmentry) -> &[u8; ENTRY_SIZE] {
    // SAFETY: `kinfo_vmentry` is 1160 bytes of plain integers with no
    // padding (its layout is asserted in `abi`), so it reads as bytes.
    unsafe { &*(entry as *const kinfo_vmentry).cast::<[u8; ENTRY_SIZE]>() }
}

// ---------------------------------------------------------------------------
// The text of /proc

/// Splits `data` into lines and parses each as every kind of `/proc` line,
/// holding the results against the references; on Linux, also builds the
/// entries of `data` read as `smaps` and as `maps` text, and holds them
/// against the reference records.
pub fn procfs_text(data: &[u8]) {
    let mut want: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let want_rest = want.pop().unwrap_or_default();
    let mut lines = Lines::new(data);
    let got: Vec<&[u8]> = lines.by_ref().collect();
    assert_eq!(got, want, "lines");
    assert_eq!(lines.rest(), want_rest, "rest");

    let mut parsed: Vec<Parsed<'_>> = got.iter().map(|&line| check_line(line)).collect();
    parsed.push(check_line(want_rest));
    builder::check(data, &parsed);
}

/// What the references make of a line, for the entry builder's check.
#[derive(Clone, Copy)]
struct Parsed<'a> {
    /// As the whole of a `maps` line.
    map: Option<RefMapLine<'a>>,
    /// As a line of `smaps`.
    smaps: Option<RefSmapsLine<'a>>,
}

/// Parses `line` as every kind of line, with the parsers and the
/// references, which must agree.
fn check_line(line: &[u8]) -> Parsed<'_> {
    let map = ref_map_line(line);
    let smaps = ref_smaps_line(line, map);
    check_map_line(line, map);
    check_smaps_line(line, smaps);
    check_unescape(line);
    // Only that it returns: the reference would be the same code.
    let _ = parse_stat(line);
    Parsed { map, smaps }
}

/// A map line as the reference reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RefMapLine<'a> {
    start: u64,
    end: u64,
    /// `r`, `w`, `x`, and `s` (shared) rather than `p`.
    perms: [bool; 4],
    offset: u64,
    major: u32,
    minor: u32,
    inode: u64,
    name: &'a [u8],
}

/// The length of the run of bytes at the front of `s` that pass `is`.
fn run(s: &[u8], is: impl Fn(u8) -> bool) -> usize {
    s.iter().take_while(|&&b| is(b)).count()
}

/// 1 to 16 lowercase hex digits.
fn ref_hex(s: &[u8]) -> Option<(u64, &[u8])> {
    let n = run(s, |b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !(1..=16).contains(&n) {
        return None;
    }
    let value = u64::from_str_radix(core::str::from_utf8(&s[..n]).ok()?, 16).ok()?;
    Some((value, &s[n..]))
}

/// 1 to 20 decimal digits whose value fits a `u64`.
fn ref_decimal(s: &[u8]) -> Option<(u64, &[u8])> {
    let n = run(s, |b| b.is_ascii_digit());
    if !(1..=20).contains(&n) {
        return None;
    }
    let value = core::str::from_utf8(&s[..n]).ok()?.parse::<u64>().ok()?;
    Some((value, &s[n..]))
}

/// `start-end perms offset major:minor inode`, then, if anything follows,
/// a space, any padding spaces, and the name.
fn ref_map_line(line: &[u8]) -> Option<RefMapLine<'_>> {
    let (start, s) = ref_hex(line)?;
    let (end, s) = ref_hex(s.strip_prefix(b"-")?)?;
    let s = s.strip_prefix(b" ")?;
    let p = s.get(..4)?;
    let bit = |b: u8, set: u8| match b {
        b'-' => Some(false),
        b if b == set => Some(true),
        _ => None,
    };
    let shared = match p[3] {
        b's' => true,
        b'p' => false,
        _ => return None,
    };
    let perms = [bit(p[0], b'r')?, bit(p[1], b'w')?, bit(p[2], b'x')?, shared];
    let (offset, s) = ref_hex(s[4..].strip_prefix(b" ")?)?;
    let (major, s) = ref_hex(s.strip_prefix(b" ")?)?;
    let (minor, s) = ref_hex(s.strip_prefix(b":")?)?;
    let (inode, s) = ref_decimal(s.strip_prefix(b" ")?)?;
    let name = match s {
        [] => s,
        _ => {
            let s = s.strip_prefix(b" ")?;
            &s[run(s, |b| b == b' ')..]
        }
    };
    Some(RefMapLine {
        start,
        end,
        perms,
        offset,
        major: u32::try_from(major).ok()?,
        minor: u32::try_from(minor).ok()?,
        inode,
        name,
    })
}

fn check_map_line<'a>(line: &'a [u8], want: Option<RefMapLine<'a>>) {
    let got = parse_map_line(line).map(|m| RefMapLine {
        start: m.start,
        end: m.end,
        perms: [m.perms.read, m.perms.write, m.perms.exec, m.perms.shared],
        offset: m.offset,
        major: m.major,
        minor: m.minor,
        inode: m.inode,
        name: m.name,
    });
    assert_eq!(got, want, "map line {line:?}");
}

/// The `smaps` fields read, with their names and colons.
const FIELDS: [(&[u8], Field); 6] = [
    (b"Rss:", Field::Rss),
    (b"Private_Clean:", Field::PrivateClean),
    (b"Private_Dirty:", Field::PrivateDirty),
    (b"AnonHugePages:", Field::AnonHugePages),
    (b"ShmemPmdMapped:", Field::ShmemPmdMapped),
    (b"FilePmdMapped:", Field::FilePmdMapped),
];

/// The `VmFlags` codes read, in the order of `VM_FLAGS`.
const CODES: [&[u8; 2]; 7] = [b"mr", b"mw", b"me", b"gd", b"lo", b"dd", b"ht"];
const VM_FLAGS: [VmFlags; 7] = [
    VmFlags::MAY_READ,
    VmFlags::MAY_WRITE,
    VmFlags::MAY_EXEC,
    VmFlags::GROWS_DOWN,
    VmFlags::LOCKED,
    VmFlags::DONT_DUMP,
    VmFlags::HUGETLB,
];

/// An `smaps` line as the reference reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefSmapsLine<'a> {
    Map(RefMapLine<'a>),
    Field(Field, u64),
    /// Which of `CODES` the line holds.
    VmFlags([bool; 7]),
    Skipped,
}

/// A map line (`map`, as `line` parsed as one) starts with a lowercase
/// hex digit, a field with a capital; a field's value is padding spaces, 1
/// to 19 digits, and ` kB` or not; `VmFlags:` is followed by codes between
/// spaces.
fn ref_smaps_line<'a>(line: &'a [u8], map: Option<RefMapLine<'a>>) -> Option<RefSmapsLine<'a>> {
    let first = *line.first()?;
    if matches!(first, b'0'..=b'9' | b'a'..=b'f') {
        return map.map(RefSmapsLine::Map);
    }
    if !first.is_ascii_uppercase() {
        return None;
    }
    for (name, field) in FIELDS {
        if let Some(value) = line.strip_prefix(name) {
            let number = value.strip_suffix(b" kB").unwrap_or(value);
            let digits = number
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let (padding, digits) = number.split_at(number.len() - digits);
            if !(1..=19).contains(&digits.len()) || padding.iter().any(|&b| b != b' ') {
                return None;
            }
            let kb = core::str::from_utf8(digits).ok()?.parse().ok()?;
            return Some(RefSmapsLine::Field(field, kb));
        }
    }
    if let Some(codes) = line.strip_prefix(b"VmFlags:") {
        let mut has = [false; 7];
        for code in codes.split(|&b| b == b' ') {
            if let Some(i) = CODES.iter().position(|c| c[..] == *code) {
                has[i] = true;
            }
        }
        return Some(RefSmapsLine::VmFlags(has));
    }
    Some(RefSmapsLine::Skipped)
}

fn check_smaps_line<'a>(line: &'a [u8], want: Option<RefSmapsLine<'a>>) {
    let got = parse_smaps_line(line).map(|parsed| match parsed {
        SmapsLine::Map(m) => RefSmapsLine::Map(RefMapLine {
            start: m.start,
            end: m.end,
            perms: [m.perms.read, m.perms.write, m.perms.exec, m.perms.shared],
            offset: m.offset,
            major: m.major,
            minor: m.minor,
            inode: m.inode,
            name: m.name,
        }),
        SmapsLine::Field(field, kb) => RefSmapsLine::Field(field, kb),
        SmapsLine::VmFlags(flags) => RefSmapsLine::VmFlags(VM_FLAGS.map(|f| flags.contains(f))),
        SmapsLine::Skipped => RefSmapsLine::Skipped,
    });
    assert_eq!(got, want, "smaps line {line:?}");
}

/// The bytes a name stands for, each marked when it was a decoded `\012`,
/// into `out`.
fn ref_unescape(name: &[u8], decode: bool, out: &mut Vec<(u8, bool)>) {
    out.clear();
    let mut rest = name;
    while let Some((&byte, tail)) = rest.split_first() {
        match rest.strip_prefix(b"\\012") {
            Some(after) if decode => {
                out.push((b'\n', true));
                rest = after;
            }
            _ => {
                out.push((byte, false));
                rest = tail;
            }
        }
    }
}

/// Unescapes `name` into buffers of several sizes, the smallest and those
/// around the one that just fits: the reference's bytes, cut to the room
/// left by the NUL, a NUL after them and nothing written past it.
fn check_unescape(name: &[u8]) {
    const UNTOUCHED: u8 = 0xa5;
    let mut want = Vec::with_capacity(name.len());
    let mut buffer = Vec::with_capacity(name.len() + 2);
    for decode in [true, false] {
        ref_unescape(name, decode, &mut want);
        let fits = want.len() + 1;
        buffer.resize(fits + 1, UNTOUCHED);
        for size in [0, 1, 2, fits - 1, fits, fits + 1] {
            let out = &mut buffer[..size];
            out.fill(UNTOUCHED);
            let got = unescape_path(name, out, decode);
            let Some(room) = size.checked_sub(1) else {
                assert_eq!((got.len, got.truncated), (0, !name.is_empty()));
                continue;
            };
            let len = want.len().min(room);
            let context = || format!("{name:?} into {size}, decode {decode}: {got:?}");
            assert_eq!(got.len, len, "{}", context());
            assert_eq!(got.truncated, want.len() > room, "{}", context());
            if !got.truncated {
                assert_eq!(got.decoded, want.iter().any(|&(_, d)| d), "{}", context());
            }
            let same = out.iter().zip(&want[..len]).all(|(&o, &(b, _))| o == b);
            assert!(same, "{}", context());
            assert_eq!(out[len], 0, "{}", context());
            assert!(
                out[len + 1..].iter().all(|&b| b == UNTOUCHED),
                "{}",
                context()
            );
        }
    }
}

/// The entries the Linux backend builds from text, held against the
/// reference records.
mod builder {
    use super::*;
    use crate::abi::{
        KVE_PATH_SIZE, KVME_FLAG_COW, KVME_MAX_PROT_EXEC, KVME_MAX_PROT_READ, KVME_MAX_PROT_WRITE,
    };
    use crate::procfs::fuzz_access::{Resident, vmmap_from_text};

    /// One record of the text as the reference reads it.
    struct Record<'a> {
        line: RefMapLine<'a>,
        /// The last value of each of `FIELDS`.
        kb: [u64; 6],
        vm_flags: Option<[bool; 7]>,
    }

    /// The records of a text whose lines, the unterminated rest last, are
    /// `lines`; or `None` when a line is malformed, a field comes before any
    /// map line (`smaps`), or the text does not end with a newline.
    fn records<'a>(
        text: &[u8],
        lines: &[Parsed<'a>],
        resident: Resident,
    ) -> Option<Vec<Record<'a>>> {
        if text.last().is_some_and(|&b| b != b'\n') {
            return None;
        }
        let lines = lines.split_last()?.1;
        let mut records: Vec<Record<'_>> = Vec::new();
        for line in lines {
            let parsed = match resident {
                Resident::Skip => RefSmapsLine::Map(line.map?),
                Resident::Count => line.smaps?,
            };
            match parsed {
                RefSmapsLine::Map(line) => records.push(Record {
                    line,
                    kb: [0; 6],
                    vm_flags: None,
                }),
                RefSmapsLine::Field(field, kb) => {
                    let i = FIELDS.iter().position(|&(_, f)| f == field)?;
                    records.last_mut()?.kb[i] = kb;
                }
                RefSmapsLine::VmFlags(has) => records.last_mut()?.vm_flags = Some(has),
                RefSmapsLine::Skipped => {
                    records.last_mut()?;
                }
            }
        }
        Some(records)
    }

    fn pages(kb: u64) -> c_int {
        let page = crate::procfs::host_page_size();
        c_int::try_from(kb.saturating_mul(1024) / page).unwrap_or(c_int::MAX)
    }

    /// `name` as the builder may store it: decoded, or literal when only
    /// that names the mapped file; cut to fit `kve_path` with its NUL.
    fn path_candidates(name: &[u8]) -> [Vec<u8>; 2] {
        let mut bytes = Vec::new();
        [true, false].map(|decode| {
            ref_unescape(name, decode, &mut bytes);
            bytes
                .iter()
                .take(KVE_PATH_SIZE - 1)
                .map(|&(b, _)| b)
                .collect()
        })
    }

    /// Builds the entries of `text`, whose lines the references read as
    /// `lines`.
    pub(super) fn check(text: &[u8], lines: &[Parsed<'_>]) {
        for resident in [Resident::Count, Resident::Skip] {
            let got = vmmap_from_text(text, resident);
            let want = records(text, lines, resident);
            let (map, records) = match (got, want) {
                (Ok(map), Some(records)) => (map, records),
                (Err(error), None) => {
                    assert_eq!(error.errno(), libc::EIO, "{resident:?}: {error:?}");
                    continue;
                }
                (got, want) => panic!(
                    "{resident:?}: the builder gave {got:?}, the reference {} records",
                    want.map_or(-1, |r| r.len() as i64)
                ),
            };
            // A record that starts below the end of one already taken is
            // a later view of it, and dropped.
            let mut reported_end = 0;
            let kept: Vec<&Record<'_>> = records
                .iter()
                .filter(|r| {
                    let keep = r.line.start >= reported_end;
                    if keep {
                        reported_end = reported_end.max(r.line.end);
                    }
                    keep
                })
                .collect();
            assert_eq!(map.len(), kept.len(), "{resident:?}");
            for (index, (entry, record)) in map.iter().zip(kept).enumerate() {
                check_entry(entry, map.linux_name(index), record, resident);
            }
            if map.iter().all(|e| e.kve_start < e.kve_end) {
                assert!(
                    map.windows(2).all(|w| w[0].kve_end <= w[1].kve_start),
                    "{resident:?}: out of order or overlapping"
                );
            }
        }
    }

    fn check_entry(
        entry: &kinfo_vmentry,
        linux_name: Option<&[u8]>,
        record: &Record<'_>,
        resident: Resident,
    ) {
        let line = &record.line;
        // Linux's encoding, glibc's formula, whatever the host.
        let (major, minor) = (u64::from(line.major), u64::from(line.minor));
        let fsid = (major & 0xfff) << 8 | (major >> 12) << 44 | (minor & 0xff) | (minor >> 8) << 20;
        assert_eq!(entry.kve_structsize, KINFO_VMENTRY_SIZE);
        assert_eq!(
            (
                entry.kve_start,
                entry.kve_end,
                entry.kve_offset,
                entry.kve_vn_fileid,
                entry.kve_vn_fsid(),
            ),
            (line.start, line.end, line.offset, line.inode, fsid)
        );
        let [read, write, exec, shared] = line.perms;
        let rwx = c_int::from(read) | c_int::from(write) << 1 | c_int::from(exec) << 2;
        assert_eq!(entry.kve_protection & 7, rwx);
        assert_eq!(entry.kve_flags & KVME_FLAG_COW != 0, !shared);
        // The name, kept beside the entry when `kve_path` shows another
        // thing: then `kve_path` is empty or the `shm_open` name of a
        // `/dev/shm` file; else it is the name's bytes and a NUL. (No
        // kernel prints a NUL in a name, but a C reader would only see the
        // name cut short there.)
        let name = linux_name.unwrap_or(entry.path_bytes());
        // How much of `bytes` C reads: up to the first NUL.
        let c_length = |bytes: &[u8]| bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        // Without a kept name, `kve_path` is the name as C reads it.
        let as_c_reads = |want: &[u8]| match linux_name {
            Some(_) => want.len(),
            None => c_length(want),
        };
        assert!(
            path_candidates(line.name)
                .iter()
                .any(|want| name == &want[..as_c_reads(want)]),
            "name {name:?} for {:?}",
            line.name
        );
        match linux_name {
            None => assert_eq!(entry.kve_path.get(name.len()), Some(&0)),
            Some(name) => {
                let path = entry.path_bytes();
                // The `shm_open` name as C reads it in `kve_path`.
                let shm_name = name.strip_prefix(b"/dev/shm").unwrap_or_default();
                let shm_name = &shm_name[..c_length(shm_name)];
                assert_ne!(path, name);
                assert!(
                    path.is_empty() || path == shm_name,
                    "kve_path {path:?} for {name:?}"
                );
            }
        }
        let max = [KVME_MAX_PROT_READ, KVME_MAX_PROT_WRITE, KVME_MAX_PROT_EXEC];
        match resident {
            Resident::Count => {
                let [rss, clean, dirty, ..] = record.kb;
                assert_eq!(entry.kve_resident, pages(rss));
                assert_eq!(
                    entry.kve_private_resident,
                    pages(clean.saturating_add(dirty))
                );
                let has = record.vm_flags.unwrap_or_default();
                let want = max
                    .iter()
                    .zip(has)
                    .filter(|&(_, has)| has)
                    .fold(0, |prot, (bit, _)| prot | bit);
                assert_eq!(entry.kve_protection & !7, want);
            }
            Resident::Skip => {
                assert_eq!((entry.kve_resident, entry.kve_private_resident), (0, 0));
                assert_eq!(entry.kve_protection & !7, 0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use crate::abi::kinfo_vmentry;

    fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/corpus")
            .join(target);
        let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| {
                let path = entry.unwrap().path();
                let bytes = std::fs::read(&path).unwrap();
                (path, bytes)
            })
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{} is empty", dir.display());
        files
    }

    #[test]
    #[cfg_attr(miri, ignore = "reads files")]
    fn the_unpack_corpus_passes_the_checks() {
        for (path, bytes) in corpus("unpack") {
            eprintln!("{}", path.display());
            super::unpack(&bytes);
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "reads files")]
    fn the_procfs_text_corpus_passes_the_checks() {
        for (path, bytes) in corpus("procfs_text") {
            eprintln!("{}", path.display());
            super::procfs_text(&bytes);
        }
    }

    #[test]
    fn the_unpack_checks_accept_every_cut_of_a_real_shaped_buffer() {
        let mut packed = Vec::new();
        for (i, path) in ["/bin/sh", "", "/lib/libc.so.7", ""].iter().enumerate() {
            let start = 0x1000 * (i as u64 + 1);
            crate::unpack::tests::pack(&crate::unpack::tests::entry(start, path), &mut packed);
        }
        for len in 0..=packed.len() {
            // A heap block of exactly `len` bytes, so that a read past it
            // is caught (by Miri, or a sanitizer).
            let cut = packed[..len].to_vec();
            super::unpack(&cut);
        }
    }

    /// An entry as FreeBSD's kernel fills it for a vnode (`path` set) or
    /// for anonymous memory.
    fn freebsd_entry(start: u64, end: u64, prot: &str, path: &str) -> kinfo_vmentry {
        use crate::abi::*;
        let mut e = crate::unpack::tests::entry(start, path);
        e.kve_end = end;
        e.kve_protection = KVME_MAX_PROT_READ | KVME_MAX_PROT_WRITE | KVME_MAX_PROT_EXEC;
        for (letter, bit) in [
            ('r', KVME_PROT_READ),
            ('w', KVME_PROT_WRITE),
            ('x', KVME_PROT_EXEC),
        ] {
            if prot.contains(letter) {
                e.kve_protection |= bit;
            }
        }
        e.kve_resident = ((end - start) / 4096 / 2) as i32;
        e.kve_private_resident = e.kve_resident / 3;
        e.kve_ref_count = 1 + (start >> 12 & 3) as i32;
        e.kve_shadow_count = i32::from(prot.contains('w'));
        e.kve_flags = if prot.contains('w') {
            KVME_FLAG_COW | KVME_FLAG_NEEDS_COPY
        } else {
            0
        };
        e.kve_type_spec._kve_obj = 0xffff_f800_0312_4000 + (start >> 12 & 0xfff) * 0x100;
        if path.is_empty() {
            e.kve_type = KVME_TYPE_SWAP;
        } else {
            e.kve_type = KVME_TYPE_VNODE;
            e.kve_offset = start & 0xf_f000;
            e.kve_vn_fileid = 0x1_0000 + path.len() as u64;
            e.kve_type_spec._kve_vn_fsid = 0x7a5b_e1f4_0000_0001;
            e.kve_vn_fsid_freebsd11 = 0x0000_0001;
            e.kve_vn_size = 0x4_5678;
            e.kve_vn_mode = 0o100_555;
            e.kve_vn_type = 1;
            e.kve_status = KF_ATTR_VALID;
        }
        e
    }

    /// The map of FreeBSD's `/bin/sh` on amd64, and `libs` more libraries.
    fn freebsd_process(libs: usize) -> Vec<kinfo_vmentry> {
        use crate::abi::*;
        let mut map = vec![
            freebsd_entry(0x20_0000, 0x21_4000, "r", "/bin/sh"),
            freebsd_entry(0x21_4000, 0x22_d000, "rx", "/bin/sh"),
            freebsd_entry(0x22_d000, 0x22_f000, "rw", "/bin/sh"),
            freebsd_entry(0x22_f000, 0x23_2000, "rw", ""),
        ];
        let mut at = 0x8_0023_3000u64;
        let names = [
            "/libexec/ld-elf.so.1",
            "/lib/libedit.so.8",
            "/lib/libtinfow.so.9",
        ];
        let extra: Vec<String> = (0..libs)
            .map(|i| format!("/usr/local/lib/libx{i}.so.{i}"))
            .collect();
        let all = names
            .iter()
            .copied()
            .chain(extra.iter().map(String::as_str))
            .chain(["/lib/libc.so.7"]);
        for lib in all {
            for (prot, pages) in [("r", 7), ("rx", 40), ("rw", 2), ("rw", 1)] {
                let end = at + pages * 0x1000;
                map.push(freebsd_entry(
                    at,
                    end,
                    prot,
                    if pages == 1 { "" } else { lib },
                ));
                at = end;
            }
        }
        map.push(freebsd_entry(0x8_0100_0000, 0x8_0120_0000, "rw", ""));
        map.last_mut().unwrap().kve_flags |= KVME_FLAG_SUPER;
        let mut guard = freebsd_entry(0x7fff_dfff_f000, 0x7fff_fffd_f000, "", "");
        guard.kve_type = KVME_TYPE_GUARD;
        guard.kve_resident = 0;
        guard.kve_private_resident = 0;
        map.push(guard);
        let mut stack = freebsd_entry(0x7fff_fffd_f000, 0x7fff_ffff_f000, "rw", "");
        stack.kve_flags |= KVME_FLAG_GROWS_DOWN;
        map.push(stack);
        let mut shared_page = freebsd_entry(0x7fff_ffff_f000, 0x8000_0000_0000, "rx", "");
        shared_page.kve_type = KVME_TYPE_PHYS;
        map.push(shared_page);
        map
    }

    fn packed(map: &[kinfo_vmentry]) -> Vec<u8> {
        let mut out = Vec::new();
        map.iter().for_each(|e| crate::unpack::pack(e, &mut out));
        out
    }

    /// The first `records` records of an `smaps` text.
    fn first_records(smaps: &[u8], records: usize) -> Vec<u8> {
        let text = String::from_utf8_lossy(smaps);
        let mut out = String::new();
        let mut seen = 0;
        for line in text.lines() {
            if line
                .as_bytes()
                .first()
                .is_some_and(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            {
                seen += 1;
                if seen > records {
                    break;
                }
            }
            out.push_str(line);
            out.push('\n');
        }
        out.into_bytes()
    }

    /// Writes the seed corpus: packed records as FreeBSD's kernel writes
    /// them, whole, cut and corrupted as a hostile kernel or a damaged core
    /// file would leave them; and the `maps`, `smaps` and `stat` text of
    /// real processes, with hand-made lines for the rare names. Run by hand
    /// when the formats change:
    /// `cargo test --lib write_the_seed_corpus -- --ignored`.
    #[test]
    #[ignore = "rewrites fuzz/corpus"]
    fn write_the_seed_corpus() {
        use crate::abi::KVE_PATH_SIZE;
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        let write = |target: &str, name: &str, bytes: &[u8]| {
            let dir = root.join(target);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(name), bytes).unwrap();
        };

        let sh = packed(&freebsd_process(0));
        write("unpack", "freebsd-sh", &sh);
        write(
            "unpack",
            "freebsd-ten-libraries",
            &packed(&freebsd_process(10)),
        );
        write("unpack", "empty", b"");
        write("unpack", "zero-size-ends-the-list", &{
            let mut b = packed(&freebsd_process(0)[..3]);
            b.extend_from_slice(&[0; 8]);
            b.extend_from_slice(&sh[..200]);
            b
        });
        write("unpack", "enomem-cut-mid-record", &sh[..sh.len() / 2 + 37]);
        write(
            "unpack",
            "cut-in-a-size-field",
            &sh[..packed(&freebsd_process(0)[..5]).len() + 2],
        );
        let mut long = freebsd_entry(0x1000, 0x2000, "r", "");
        long.kve_path = [b'/' as core::ffi::c_char; KVE_PATH_SIZE];
        long.kve_path[KVE_PATH_SIZE - 1] = 0;
        write(
            "unpack",
            "full-size-record",
            &packed(&[long, freebsd_entry(0x2000, 0x3000, "rw", "")]),
        );
        long.kve_structsize = 1160;
        long.kve_path[KVE_PATH_SIZE - 1] = b'x' as core::ffi::c_char;
        // SAFETY: plain data, viewed as its bytes.
        let raw = unsafe { core::slice::from_raw_parts((&raw const long).cast::<u8>(), 1160) };
        write("unpack", "full-size-record-without-nul", raw);
        for (name, size) in [
            ("size-135", 135),
            ("size-1161", 1161),
            ("size-negative", -8),
        ] {
            let mut b = packed(&freebsd_process(0)[..2]);
            let at = b.len();
            b.extend_from_slice(&packed(&freebsd_process(0)[2..4]));
            b[at..at + 4].copy_from_slice(&i32::to_ne_bytes(size));
            write("unpack", name, &b);
        }
        write("unpack", "trailing-fragment", &{
            let mut b = packed(&freebsd_process(0)[..2]);
            b.extend_from_slice(&[0x90, 0, 0]);
            b
        });

        let read = |path: &str| std::fs::read(path).unwrap();
        let own = std::process::id();
        write(
            "procfs_text",
            "maps-self",
            &read(&format!("/proc/{own}/maps")),
        );
        let smaps = read(&format!("/proc/{own}/smaps"));
        write(
            "procfs_text",
            "smaps-self-first-6",
            &first_records(&smaps, 6),
        );
        write(
            "procfs_text",
            "stat-self",
            &read(&format!("/proc/{own}/stat")),
        );
        let mut sleeper = std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .unwrap();
        let pid = sleeper.id();
        std::thread::sleep(std::time::Duration::from_millis(100));
        write(
            "procfs_text",
            "maps-sleep",
            &read(&format!("/proc/{pid}/maps")),
        );
        let smaps = read(&format!("/proc/{pid}/smaps"));
        write(
            "procfs_text",
            "smaps-sleep-first-4",
            &first_records(&smaps, 4),
        );
        write(
            "procfs_text",
            "stat-sleep",
            &read(&format!("/proc/{pid}/stat")),
        );
        sleeper.kill().unwrap();
        sleeper.wait().unwrap();
        write("procfs_text", "stat-kthreadd", b"2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 21 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        write(
            "procfs_text",
            "maps-rare-names",
            b"00400000-00401000 r-xp 00000000 fe:00 1234567                    /tmp/a dir/ spaced  name \n\
              00401000-00402000 r--p 00001000 fe:00 1234567                    /tmp/new\\012line\\012\n\
              00402000-00403000 rw-s 00000000 00:01 32770                      /SYSV0000162e (deleted)\n\
              00403000-00404000 rw-s 00000000 00:19 7                          /dev/shm/sem.x\n\
              00404000-00405000 rw-s 00000000 00:01 2050                       /dev/zero (deleted)\n\
              00405000-00406000 r--p 00000000 00:05 4                          /dev/zero\n\
              00406000-00407000 rw-p 00000000 00:00 0                          [anon:glibc: malloc arena]\n\
              00407000-00408000 r--s 00000000 103:1a 123456789012345678 /x\n\
              7f0409d55000-7f0409d56000 r--p 00000000 fe:00 10045728                   /tmp/x (deleted)\n\
              7ffd23bcf000-7ffd23bf0000 rw-p 00000000 00:00 0                          [stack]\n\
              ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n",
        );
        write(
            "procfs_text",
            "smaps-huge-and-locked",
            b"7f0000000000-7f0000400000 rw-p 00000000 00:00 0 \n\
              Size:               4096 kB\nRss:                4096 kB\nPrivate_Clean:        12 kB\n\
              Private_Dirty:      4084 kB\nAnonHugePages:      4096 kB\nShmemPmdMapped:        0 kB\n\
              FilePmdMapped:         0 kB\nLocked:             4096 kB\nTHPeligible:           1\n\
              VmFlags: rd wr mr mw me ac lo dd hg \n\
              7f0000400000-7f0000600000 rw-s 00000000 00:0f 4096                       /anon_hugepage (deleted)\n\
              Rss:                2048 kB\nVmFlags: rd wr sh mr mw me ms de ht \n",
        );
        // Records after the first that stray from its lines: a longer
        // count, lines moved.
        write(
            "procfs_text",
            "smaps-records-stray-from-the-layout",
            b"1000-2000 rw-p 00000000 00:00 0 \n\
              Size:                  4 kB\n\
              Rss:                   4 kB\n\
              Pss:                   4 kB\n\
              Private_Clean:         0 kB\n\
              Private_Dirty:         4 kB\n\
              VmFlags: rd wr mr mw me \n\
              2000-3000 rw-p 00000000 00:00 0 \n\
              Size:                  4 kB\n\
              Rss:           123456789 kB\n\
              Pss:                   4 kB\n\
              Private_Clean:         1 kB\n\
              Private_Dirty:         2 kB\n\
              VmFlags: rd wr mr mw me lo \n\
              3000-4000 rw-p 00000000 00:00 0 \n\
              Size:                  4 kB\n\
              Pss:                   4 kB\n\
              Rss:                   8 kB\n\
              Private_Dirty:         8 kB\n\
              VmFlags: rd mr \n",
        );
    }

    #[test]
    fn the_text_checks_accept_real_shaped_lines_and_garbage() {
        super::procfs_text(
            b"7f2ef8148000-7f2ef816e000 r-xp 00026000 fe:00 326279    /usr/lib/a\\012b\n\
              Rss:                   8 kB\nPrivate_Dirty:  4 kB\nVmFlags: rd ex mr me\n\
              7f2ef816e000-7f2ef8170000 rw-p 00000000 00:00 0 \n",
        );
        super::procfs_text(b"\xff\n-\n\\012\n");
        super::procfs_text(b"");
    }
}
