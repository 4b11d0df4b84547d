//! Lines of `maps` or `smaps` text in, `struct kinfo_vmentry` out: one
//! entry per VMA, written straight into its slot of the malloc'd array.
//!
//! The builder knows no system. What only a live system can say, whether
//! a name is the file that is mapped and what its attributes are, it asks
//! of a [`Stat`] hook: the Linux backend's `stat(2)` with its cache, or
//! [`NoStat`] for saved text, where names alone decide.
//!
//! | field | from |
//! |---|---|
//! | `kve_start`, `kve_end`, `kve_offset` | the map line, as the kernel prints them |
//! | `kve_protection` | `rwx` of the perms; `KVME_MAX_PROT_*` from `VmFlags` `mr` `mw` `me` (smaps only) |
//! | `kve_type`, `kve_path` | see `classify.rs` |
//! | `kve_flags` | `COW` for private (`p`) mappings; from `VmFlags`: `GROWS_DOWN` (`gd`), `USER_WIRED` (`lo`), `NOCOREDUMP` (`dd`); `SUPER` when `AnonHugePages`, `ShmemPmdMapped` or `FilePmdMapped` is above 0 or `VmFlags` has `ht`; `SYSVSHM` for `/SYSV%08x`; `POSIXSHM` under `/dev/shm/` |
//! | `kve_resident` | `Rss` in pages; 0 when counts are skipped |
//! | `kve_private_resident` | `Private_Clean` + `Private_Dirty` in pages; 0 when skipped |
//! | `kve_vn_fileid` | the inode column |
//! | `kve_vn_fsid`, `kve_vn_fsid_freebsd11` | Linux's `makedev(major, minor)` of the device column; its low 32 bits |
//! | `kve_vn_size`, `kve_vn_mode`, `kve_vn_type`, `kve_vn_rdev`, `kve_vn_rdev_freebsd11`, `kve_status` | the hook's attributes of a file or device it confirmed; then `KF_ATTR_VALID` |
//! | `kve_ref_count`, `kve_shadow_count` | 0: Linux has no such counts |
//!
//! The name the text gave an entry is kept beside the map (see
//! `VmMap::linux_name`) whenever `kve_path` shows something else, so that
//! the Rust API can offer `[heap]` or `/tmp/x (deleted)` while C sees
//! FreeBSD's empty path.
//!
//! Without the counts (`maps`), `VmFlags` is unknown too: no
//! `KVME_MAX_PROT_*`, no wiring, core-dump or huge page flags, and only
//! `[stack]` is known to grow down.
//!
//! The text is not a snapshot: the kernel drops the map's lock between two
//! reads (every page of text or so) and resumes at the end address of the
//! last VMA it printed, so a VMA that grew or merged in between is printed
//! again, overlapping what came before. Such a record is dropped: FreeBSD's
//! walk, on finding the map changed, likewise resumes after the entry
//! holding the last address it reported, so entries are always in address
//! order and never overlap.

use core::ffi::{CStr, c_char, c_int};

use crate::abi::{
    KF_ATTR_VALID, KINFO_VMENTRY_SIZE, KVE_PATH_SIZE, KVME_FLAG_COW, KVME_FLAG_GROWS_DOWN,
    KVME_FLAG_NOCOREDUMP, KVME_FLAG_SUPER, KVME_FLAG_USER_WIRED, KVME_MAX_PROT_EXEC,
    KVME_MAX_PROT_READ, KVME_MAX_PROT_WRITE, KVME_PROT_EXEC, KVME_PROT_READ, KVME_PROT_WRITE,
    kinfo_vmentry_type_spec,
};
use crate::error::Error;
use crate::procfs::classify::{VnAttrs, classify, makedev, vn_type};
use crate::procfs::text::{
    Lines, MapLine, Perms, RecordLayout, SmapsCounts, SmapsLine, Unescaped, VmFlags,
    parse_common_map_line, parse_map_line_by_column, parse_smaps_line, parse_vm_flags,
    unescape_path,
};
use crate::sys::Resident;
use crate::vmmap::{Populate, VmMap};

/// What the builder asks of the system the text came from.
pub(crate) trait Stat {
    /// The attributes of the file at `path`, if it is the one on device
    /// `dev` (Linux's encoding) with inode `ino`. Asked once per entry
    /// that names a file; the answer may be remembered.
    fn attrs(&mut self, path: &CStr, dev: u64, ino: u64) -> Option<VnAttrs>;

    /// Whether the file at `path` is that one, asked afresh: it settles
    /// which of two spellings of one name is the mapped file.
    fn is_mapped_file(&mut self, path: &CStr, dev: u64, ino: u64) -> bool;
}

/// No system to ask, as for saved text: no entry gets `KF_ATTR_VALID`, and
/// names alone decide types.
pub(crate) struct NoStat;

impl Stat for NoStat {
    fn attrs(&mut self, _path: &CStr, _dev: u64, _ino: u64) -> Option<VnAttrs> {
        None
    }

    fn is_mapped_file(&mut self, _path: &CStr, _dev: u64, _ino: u64) -> bool {
        false
    }
}

/// The VMA being read, until its record ends.
#[derive(Clone, Copy)]
struct Pending {
    start: u64,
    end: u64,
    perms: Perms,
    offset: u64,
    major: u32,
    minor: u32,
    inode: u64,
    /// How much of the name `Builder::name` holds.
    name: Unescaped,
    counts: SmapsCounts,
}

/// Turns lines into entries.
pub(crate) struct Builder<S> {
    out: Writer<S>,
    pending: Option<Pending>,
    /// Lines seen so far, to say which one did not parse.
    lines: usize,
    /// The field lines of the first `smaps` record, to recognise the same
    /// lines of the others.
    layout: RecordLayout,
}

/// The builder's output side: the map, and what writing an entry needs.
/// Apart from the pending VMA, so that an entry is written from the VMA
/// where it lies, not from a copy.
struct Writer<S> {
    map: VmMap,
    resident: Resident,
    page_size: u64,
    stat: S,
    /// The unescaped, NUL-terminated name of the pending VMA: its map line
    /// may be gone from the read buffer by the time its record ends.
    name: [u8; KVE_PATH_SIZE],
    /// The end of the last entry written: a record starting below it is a
    /// later view of a VMA already reported.
    reported_end: u64,
}

impl<S: Stat> Builder<S> {
    /// A builder of `maps` text (`Resident::Skip`) or `smaps` text, whose
    /// counts are in kB and become pages of `page_size` bytes.
    pub(crate) fn new(resident: Resident, page_size: u64, stat: S) -> Result<Self, Error> {
        Ok(Self::with_map(
            VmMap::with_capacity(0)?,
            resident,
            page_size,
            stat,
        ))
    }

    /// As [`new`](Self::new), with room for `entries` from the start.
    pub(crate) fn with_capacity(
        resident: Resident,
        page_size: u64,
        stat: S,
        entries: usize,
    ) -> Result<Self, Error> {
        let map = VmMap::with_capacity(entries)?;
        Ok(Self::with_map(map, resident, page_size, stat))
    }

    fn with_map(map: VmMap, resident: Resident, page_size: u64, stat: S) -> Self {
        Self {
            out: Writer {
                map,
                resident,
                page_size,
                stat,
                name: [0; KVE_PATH_SIZE],
                reported_end: 0,
            },
            pending: None,
            lines: 0,
            layout: RecordLayout::new(),
        }
    }

    /// Has the map make its pages present ahead of its writes with
    /// `populate`, when it is large (see `VmMap::populate_with`).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn populate_with(&mut self, populate: Populate) {
        self.out.map.populate_with(populate);
    }

    /// Feeds every complete line of `text`, each ended by its `\n`; the
    /// length of those lines. What follows the last `\n` is left to the
    /// caller: the start of a line the next read completes, or, at the end
    /// of the text, for [`finish`](Self::finish).
    ///
    /// The loop over lines is here, so that a record's field lines that
    /// the layout knows are passed over whole.
    pub(crate) fn lines(&mut self, text: &[u8]) -> Result<usize, Error> {
        let mut lines = Lines::new(text);
        match self.out.resident {
            Resident::Skip => {
                for line in &mut lines {
                    self.lines += 1;
                    self.maps_line(line)?;
                }
            }
            Resident::Count => {
                while let Some(line) = lines.next() {
                    self.lines += 1;
                    if !self.smaps_line(line)? {
                        continue;
                    }
                    // A record began: its field lines, if the layout's.
                    let at = lines.position();
                    if let Some(pending) = self.pending.as_mut()
                        && self
                            .layout
                            .take_record(text.get(at..).unwrap_or_default(), &mut pending.counts)
                    {
                        let (count, span) = self.layout.lines();
                        self.lines += count;
                        lines.skip_to(at + span);
                    }
                }
            }
        }
        Ok(text.len() - lines.rest().len())
    }

    /// The map, once every line was fed; `rest` is what followed the last
    /// `\n` of the text, an unterminated line unless empty, and so
    /// malformed.
    pub(crate) fn finish(mut self, rest: &[u8]) -> Result<VmMap, Error> {
        if !rest.is_empty() {
            return Err(Error::MalformedText {
                line: self.lines + 1,
            });
        }
        self.end_record()?;
        Ok(self.out.map)
    }

    /// A line of `maps`: a map line, a record of its own, written at once.
    ///
    /// The common line is read and its entry written in one inlined piece
    /// of code, which keeps the columns in registers; any other line goes
    /// the general way, apart, so that the two never meet with their
    /// columns spilled to the stack and read back.
    #[inline(always)]
    fn maps_line(&mut self, line: &[u8]) -> Result<(), Error> {
        match parse_common_map_line(line) {
            Some(map_line) => {
                let vma = self.out.vma(&map_line);
                self.out.write_entry(&vma)
            }
            None => self.maps_line_by_column(line),
        }
    }

    /// [`maps_line`](Self::maps_line) for a line of another shape, which
    /// the common reader has already turned down.
    #[inline(never)]
    fn maps_line_by_column(&mut self, line: &[u8]) -> Result<(), Error> {
        let map_line = parse_map_line_by_column(line).ok_or(self.malformed_line())?;
        self.begin(&map_line);
        self.end_record()
    }

    /// An `smaps` line; true when it is a map line, which begins a record.
    ///
    /// The two lines every record has besides its field lines are read
    /// here, inlined into the line loop: a map line of the common shape,
    /// read as [`maps_line`](Self::maps_line) reads it, and, once the
    /// layout is learned, the `VmFlags` line. Any other line is parsed in
    /// full, apart; each is read as that parse would read it.
    #[inline(always)]
    fn smaps_line(&mut self, line: &[u8]) -> Result<bool, Error> {
        if let Some(map_line) = parse_common_map_line(line) {
            self.begin_record(&map_line)?;
            return Ok(true);
        }
        if !self.layout.is_learning()
            && let Some(codes) = line.strip_prefix(b"VmFlags:")
            && let Some(pending) = self.pending.as_mut()
        {
            pending.counts.vm_flags = Some(parse_vm_flags(codes));
            return Ok(false);
        }
        self.smaps_line_in_full(line)
    }

    /// Ends the record pending, if any, and begins the one `line` opens.
    #[inline(always)]
    fn begin_record(&mut self, line: &MapLine<'_>) -> Result<(), Error> {
        // The first record ends at the second map line.
        if self.pending.is_some() {
            self.layout.complete();
        }
        self.end_record()?;
        self.begin(line);
        Ok(())
    }

    /// [`smaps_line`](Self::smaps_line) of any line, parsed in full.
    #[inline(never)]
    fn smaps_line_in_full(&mut self, line: &[u8]) -> Result<bool, Error> {
        match parse_smaps_line(line).ok_or(self.malformed_line())? {
            SmapsLine::Map(map_line) => {
                self.begin_record(&map_line)?;
                Ok(true)
            }
            // A field before any map line belongs to nothing.
            other => {
                let malformed = self.malformed_line();
                let pending = self.pending.as_mut().ok_or(malformed)?;
                pending.counts.record(other);
                self.layout.learn(line, &other);
                Ok(false)
            }
        }
    }

    /// The error for the line just fed.
    fn malformed_line(&self) -> Error {
        Error::MalformedText { line: self.lines }
    }

    fn begin(&mut self, line: &MapLine<'_>) {
        self.pending = Some(self.out.vma(line));
    }

    /// Writes the pending VMA, if any, into the next slot of the map.
    #[inline(never)]
    fn end_record(&mut self) -> Result<(), Error> {
        let written = match &self.pending {
            Some(vma) => self.out.write_entry(vma),
            None => Ok(()),
        };
        self.pending = None;
        written
    }
}

impl<S: Stat> Writer<S> {
    /// The VMA of a map line, its name unescaped into `self.name`.
    #[inline(always)]
    fn vma(&mut self, line: &MapLine<'_>) -> Pending {
        Pending {
            start: line.start,
            end: line.end,
            perms: line.perms,
            offset: line.offset,
            major: line.major,
            minor: line.minor,
            inode: line.inode,
            name: self.unescape(line),
            counts: SmapsCounts::default(),
        }
    }

    /// Writes the line's name into `self.name`: decoded, unless it held a
    /// `\012` and only the literal name is the mapped file. (The kernel
    /// writes a newline in a path as `\012` and leaves a literal backslash
    /// alone, so a name that really holds `\012` prints the same.)
    #[inline(always)]
    fn unescape(&mut self, line: &MapLine<'_>) -> Unescaped {
        // Plain anonymous memory, most of a large map: no name to copy.
        if line.name.is_empty() {
            self.name[0] = 0;
            return Unescaped {
                len: 0,
                truncated: false,
                decoded: false,
            };
        }
        self.unescape_name(line)
    }

    /// [`unescape`](Self::unescape) of a name that is not empty.
    #[inline(never)]
    fn unescape_name(&mut self, line: &MapLine<'_>) -> Unescaped {
        let decoded = unescape_path(line.name, &mut self.name, true);
        if !decoded.decoded || line.inode == 0 {
            return decoded;
        }
        let dev = makedev(line.major, line.minor);
        let mut is_mapped_file = |name: &[u8]| {
            CStr::from_bytes_until_nul(name)
                .is_ok_and(|path| self.stat.is_mapped_file(path, dev, line.inode))
        };
        if is_mapped_file(&self.name) {
            return decoded;
        }
        let literal = unescape_path(line.name, &mut self.name, false);
        if is_mapped_file(&self.name) {
            return literal;
        }
        unescape_path(line.name, &mut self.name, true)
    }

    /// Writes `vma` into the next slot of the map, unless it is a later
    /// view of one already written.
    #[inline(always)]
    fn write_entry(&mut self, vma: &Pending) -> Result<(), Error> {
        if vma.start < self.reported_end {
            return Ok(());
        }
        self.reported_end = vma.end.max(self.reported_end);
        // In `maps` mode the counts and `VmFlags` are unknown, not zero.
        let counts = match self.resident {
            Resident::Count => Some(&vma.counts),
            Resident::Skip => None,
        };
        let name = self.name.get(..vma.name.len).unwrap_or_default();
        let fsid = makedev(vma.major, vma.minor);
        let attrs = match (name.first(), vma.name.truncated, vma.inode) {
            (Some(b'/'), false, 1..) => {
                // A `match`, not `expect`: the error's Debug would bring
                // core's formatting machinery into the C library.
                let path = match CStr::from_bytes_until_nul(&self.name) {
                    Ok(path) => path,
                    Err(_) => unreachable!("unescape_path leaves a NUL in the buffer"),
                };
                self.stat.attrs(path, fsid, vma.inode)
            }
            _ => None,
        };
        let class = classify(name, attrs.as_ref());
        let attrs = attrs.filter(|_| class.keeps_attrs);
        let path = class
            .path_from
            .and_then(|from| name.get(from..))
            .unwrap_or_default();

        if path != name {
            self.map.push_linux_name(self.map.len(), name)?;
        }
        // The slot was zeroed alone, just before its entry is written, so
        // only the fields that are not zero and the path's bytes are
        // stored, and the path's NUL and tail are there already.
        let entry = self.map.next_cleared_slot()?;
        entry.kve_structsize = KINFO_VMENTRY_SIZE;
        entry.kve_type = class.kve_type;
        entry.kve_start = vma.start;
        entry.kve_end = vma.end;
        entry.kve_offset = vma.offset;
        entry.kve_vn_fileid = vma.inode;
        entry.kve_type_spec = kinfo_vmentry_type_spec { _kve_vn_fsid: fsid };
        // FreeBSD 11's field holds the id cut to 32 bits, as its kernel does.
        entry.kve_vn_fsid_freebsd11 = fsid as u32;
        entry.kve_protection = protection(vma.perms, counts.and_then(|c| c.vm_flags));
        entry.kve_flags = flags(vma.perms, counts, name) | class.shm_flags;
        if let Some(counts) = counts {
            let private = counts
                .private_clean_kb
                .saturating_add(counts.private_dirty_kb);
            entry.kve_resident = pages(counts.rss_kb, self.page_size);
            entry.kve_private_resident = pages(private, self.page_size);
        }
        if let Some(attrs) = attrs {
            entry.kve_status = KF_ATTR_VALID;
            entry.kve_vn_size = attrs.size;
            // `st_mode` holds the type bits and the permissions, with the
            // same values as FreeBSD's: its MAKEIMODE of the vnode.
            entry.kve_vn_mode = attrs.mode as u16;
            entry.kve_vn_type = vn_type(attrs.mode);
            entry.kve_vn_rdev = attrs.rdev;
            entry.kve_vn_rdev_freebsd11 = attrs.rdev as u32;
        }
        // At most 1023 bytes (`unescape_path` cut it to fit with its NUL),
        // so the last byte of `kve_path` stays the zero it was.
        for (dst, &src) in entry.kve_path.iter_mut().zip(path) {
            *dst = src as c_char;
        }
        self.map.commit_cleared();
        Ok(())
    }
}

/// `kb` kilobytes in pages, saturated to an `int`.
fn pages(kb: u64, page_size: u64) -> c_int {
    let bytes = kb.saturating_mul(1024);
    // A page is a power of two: a shift, not a division, whose latency
    // was a share of each `smaps` record's time of its own.
    let pages = if page_size.is_power_of_two() {
        bytes >> page_size.trailing_zeros()
    } else {
        bytes / page_size.max(1)
    };
    c_int::try_from(pages).unwrap_or(c_int::MAX)
}

fn protection(perms: Perms, vm_flags: Option<VmFlags>) -> c_int {
    let mut prot = 0;
    for (set, bit) in [
        (perms.read, KVME_PROT_READ),
        (perms.write, KVME_PROT_WRITE),
        (perms.exec, KVME_PROT_EXEC),
    ] {
        if set {
            prot |= bit;
        }
    }
    if let Some(vm_flags) = vm_flags {
        for (flag, bit) in [
            (VmFlags::MAY_READ, KVME_MAX_PROT_READ),
            (VmFlags::MAY_WRITE, KVME_MAX_PROT_WRITE),
            (VmFlags::MAY_EXEC, KVME_MAX_PROT_EXEC),
        ] {
            if vm_flags.contains(flag) {
                prot |= bit;
            }
        }
    }
    prot
}

/// The `KVME_FLAG_*` bits that do not depend on what is mapped.
///
/// Without `VmFlags` (the `maps` text, or a kernel before 3.8) only
/// `[stack]` is known to grow down, and wiring, core-dump exclusion and
/// huge pages are unknown, so they are left clear.
fn flags(perms: Perms, counts: Option<&SmapsCounts>, name: &[u8]) -> c_int {
    let mut flags = 0;
    if !perms.shared {
        flags |= KVME_FLAG_COW;
    }
    match counts.and_then(|c| c.vm_flags) {
        Some(vm_flags) => {
            for (flag, bit) in [
                (VmFlags::GROWS_DOWN, KVME_FLAG_GROWS_DOWN),
                (VmFlags::LOCKED, KVME_FLAG_USER_WIRED),
                (VmFlags::DONT_DUMP, KVME_FLAG_NOCOREDUMP),
            ] {
                if vm_flags.contains(flag) {
                    flags |= bit;
                }
            }
        }
        None if name == b"[stack]" => flags |= KVME_FLAG_GROWS_DOWN,
        None => {}
    }
    if counts.is_some_and(SmapsCounts::huge_pages) {
        flags |= KVME_FLAG_SUPER;
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{
        KVME_FLAG_POSIXSHM, KVME_FLAG_SYSVSHM, KVME_TYPE_PHYS, KVME_TYPE_SWAP, KVME_TYPE_VNODE,
        kinfo_vmentry,
    };
    use crate::procfs::{host_page_size, vmmap_from_text};

    fn page() -> c_int {
        host_page_size() as c_int
    }

    #[test]
    fn kilobytes_become_whole_pages_of_any_size() {
        for page_size in [4096u64, 16384, 65536, 12288, 1, 0] {
            for kb in [0u64, 1, 3, 4, 5, 12, 1023, 4096, u64::MAX / 1024, u64::MAX] {
                let by_division = kb.saturating_mul(1024) / page_size.max(1);
                assert_eq!(
                    pages(kb, page_size),
                    c_int::try_from(by_division).unwrap_or(c_int::MAX),
                    "{kb} kB in pages of {page_size} bytes"
                );
            }
        }
    }

    /// The entries a text makes, with no system to ask.
    fn build(resident: Resident, text: &str) -> Result<VmMap, Error> {
        vmmap_from_text(text.as_bytes(), resident)
    }

    const CRAFTED_SMAPS: &str = "\
400000-401000 r-xp 00001000 08:01 1234                               /nonexistent/kinfo vmmap/bin
Size:                  4 kB
Rss:                   4 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
VmFlags: rd ex mr me 
7f0000000000-7f0000400000 rw-p 00000000 00:00 0 
Rss:                4096 kB
Private_Clean:        12 kB
Private_Dirty:      4084 kB
AnonHugePages:      2048 kB
VmFlags: rd wr mr mw me ac lo dd 
7f0000400000-7f0000600000 rw-s 00000000 00:0f 77                         /anon_hugepage (deleted)
Rss:                   0 kB
VmFlags: rd wr sh mr mw me ms ht 
7f0000600000-7f0000601000 rw-p 00000000 00:00 0                          [anon:my buffer]
Rss:           999999999999 kB
Private_Dirty: 999999999999 kB
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
Rss:                 132 kB
Private_Dirty:       132 kB
VmFlags: rd wr mr mw me gd ac 
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
VmFlags: ex 
";

    #[test]
    fn crafted_smaps_become_these_entries() {
        let map = build(Resident::Count, CRAFTED_SMAPS).unwrap();
        let pages = |kb: c_int| kb * 1024 / page();
        let summary: Vec<(c_int, c_int, c_int, c_int, c_int)> = map
            .iter()
            .map(|e| {
                (
                    e.kve_type,
                    e.kve_protection,
                    e.kve_flags,
                    e.kve_resident,
                    e.kve_private_resident,
                )
            })
            .collect();
        let rw = KVME_PROT_READ | KVME_PROT_WRITE;
        let max = KVME_MAX_PROT_READ | KVME_MAX_PROT_WRITE | KVME_MAX_PROT_EXEC;
        let read_exec = KVME_PROT_READ | KVME_PROT_EXEC | KVME_MAX_PROT_READ | KVME_MAX_PROT_EXEC;
        let locked_huge =
            KVME_FLAG_COW | KVME_FLAG_USER_WIRED | KVME_FLAG_NOCOREDUMP | KVME_FLAG_SUPER;
        assert_eq!(
            summary,
            [
                (KVME_TYPE_VNODE, read_exec, KVME_FLAG_COW, pages(4), 0),
                (
                    KVME_TYPE_SWAP,
                    rw | max,
                    locked_huge,
                    pages(4096),
                    pages(4096)
                ),
                (KVME_TYPE_SWAP, rw | max, KVME_FLAG_SUPER, 0, 0),
                (KVME_TYPE_SWAP, rw, KVME_FLAG_COW, c_int::MAX, c_int::MAX),
                (
                    KVME_TYPE_SWAP,
                    rw | max,
                    KVME_FLAG_COW | KVME_FLAG_GROWS_DOWN,
                    pages(132),
                    pages(132)
                ),
                (KVME_TYPE_PHYS, KVME_PROT_EXEC, KVME_FLAG_COW, 0, 0),
            ]
        );
        let file = &map[0];
        assert_eq!(file.as_raw().path_bytes(), b"/nonexistent/kinfo vmmap/bin");
        assert_eq!((file.kve_offset, file.kve_vn_fileid), (0x1000, 1234));
        assert_eq!(file.kve_vn_fsid(), makedev(8, 1));
        assert_eq!(file.kve_vn_fsid_freebsd11, makedev(8, 1) as u32);
        // No system was asked: no attributes.
        assert!(map.iter().all(|e| e.kve_status == 0));
        assert!(
            map.iter()
                .all(|e| (e.kve_ref_count, e.kve_shadow_count) == (0, 0))
        );
        assert!(map.iter().all(|e| e.kve_structsize == KINFO_VMENTRY_SIZE));
    }

    #[test]
    fn only_files_have_a_c_path_and_linux_names_are_kept_beside() {
        let map = build(Resident::Count, CRAFTED_SMAPS).unwrap();
        let paths: Vec<&[u8]> = map.iter().map(|e| e.as_raw().path_bytes()).collect();
        assert_eq!(
            paths,
            [
                &b"/nonexistent/kinfo vmmap/bin"[..],
                b"",
                b"",
                b"",
                b"",
                b""
            ]
        );
        let names: Vec<Option<&[u8]>> = (0..map.len()).map(|i| map.linux_name(i)).collect();
        assert_eq!(
            names,
            [
                None,
                None,
                Some(&b"/anon_hugepage (deleted)"[..]),
                Some(b"[anon:my buffer]"),
                Some(b"[stack]"),
                Some(b"[vsyscall]"),
            ]
        );
    }

    #[test]
    fn shared_memory_and_deleted_files_by_name() {
        let text = "\
1000-2000 rw-s 00000000 00:01 5 /SYSV0000002a (deleted)
2000-3000 rw-s 00000000 00:1a 6 /dev/shm/my shm
3000-4000 rw-s 00000000 00:1a 7 /dev/shm/gone (deleted)
4000-5000 r--p 00000000 08:01 8 /tmp/old\\012lib (deleted)
5000-6000 rw-p 00000000 00:0e 9 anon_inode:[perf_event]
";
        let map = build(Resident::Skip, text).unwrap();
        type Summary<'a> = (c_int, c_int, &'a [u8], Option<&'a [u8]>);
        let got: Vec<Summary<'_>> = map
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let shm = e.kve_flags & (KVME_FLAG_SYSVSHM | KVME_FLAG_POSIXSHM);
                (e.kve_type, shm, e.as_raw().path_bytes(), map.linux_name(i))
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    KVME_TYPE_SWAP,
                    KVME_FLAG_SYSVSHM,
                    &b""[..],
                    Some(&b"/SYSV0000002a (deleted)"[..])
                ),
                (
                    KVME_TYPE_SWAP,
                    KVME_FLAG_POSIXSHM,
                    b"/my shm",
                    Some(b"/dev/shm/my shm")
                ),
                (
                    KVME_TYPE_SWAP,
                    KVME_FLAG_POSIXSHM,
                    b"",
                    Some(b"/dev/shm/gone (deleted)")
                ),
                (KVME_TYPE_VNODE, 0, b"", Some(b"/tmp/old\nlib (deleted)")),
                (KVME_TYPE_VNODE, 0, b"", Some(b"anon_inode:[perf_event]")),
            ]
        );
        // A deleted file is still the vnode it was: its device and inode.
        assert_eq!(
            (map[3].kve_vn_fileid, map[3].kve_vn_fsid()),
            (8, makedev(8, 1))
        );
    }

    #[test]
    fn crafted_maps_have_no_counts_and_no_vm_flags() {
        let maps: String = CRAFTED_SMAPS
            .lines()
            .filter(|line| !line.starts_with(char::is_uppercase))
            .map(|line| format!("{line}\n"))
            .collect();
        let map = build(Resident::Skip, &maps).unwrap();
        let summary: Vec<(c_int, c_int, c_int, c_int)> = map
            .iter()
            .map(|e| (e.kve_type, e.kve_protection, e.kve_flags, e.kve_resident))
            .collect();
        let rw = KVME_PROT_READ | KVME_PROT_WRITE;
        assert_eq!(
            summary,
            [
                (
                    KVME_TYPE_VNODE,
                    KVME_PROT_READ | KVME_PROT_EXEC,
                    KVME_FLAG_COW,
                    0
                ),
                (KVME_TYPE_SWAP, rw, KVME_FLAG_COW, 0),
                (KVME_TYPE_SWAP, rw, 0, 0),
                (KVME_TYPE_SWAP, rw, KVME_FLAG_COW, 0),
                (KVME_TYPE_SWAP, rw, KVME_FLAG_COW | KVME_FLAG_GROWS_DOWN, 0),
                (KVME_TYPE_PHYS, KVME_PROT_EXEC, KVME_FLAG_COW, 0),
            ]
        );
        assert!(map.iter().all(|e| e.kve_private_resident == 0));
    }

    #[test]
    fn records_that_stray_from_the_first_records_layout_parse_as_alone() {
        // Later records learn nothing from the first but the shape of its
        // lines: a longer count, a missing or added field, a field moved,
        // all as if each record were parsed on its own.
        let first = "\
1000-2000 rw-p 00000000 00:00 0 
Size:                  4 kB
Rss:                   4 kB
Pss:                   4 kB
Private_Clean:         0 kB
Private_Dirty:         4 kB
AnonHugePages:         0 kB
VmFlags: rd wr mr mw me 
";
        let others = [
            "2000-3000 rw-p 00000000 00:00 0 \nSize:                  4 kB\nRss:           123456789 kB\nPss:                   4 kB\nPrivate_Clean:         1 kB\nPrivate_Dirty:         2 kB\nAnonHugePages:      2048 kB\nVmFlags: rd wr mr mw me lo \n",
            "3000-4000 rw-p 00000000 00:00 0 \nSize:                  4 kB\nPss:                   4 kB\nRss:                   8 kB\nPrivate_Dirty:         8 kB\nNewField:              3 kB\nVmFlags: rd mr \n",
            "4000-5000 rw-p 00000000 00:00 0 \nSize:                  4 kB\nRss:                  12 kB\nPss:                   4 kB\nPrivate_Clean:         4 kB\nPrivate_Dirty:         8 kB\nAnonHugePages:         0 kB\nVmFlags: rd wr mr mw me \n",
        ];
        let together = build(Resident::Count, &[first, others.concat().as_str()].concat()).unwrap();
        let alone: Vec<kinfo_vmentry> = [first]
            .iter()
            .chain(&others)
            .flat_map(|record| build(Resident::Count, record).unwrap().as_raw().to_vec())
            .collect();
        assert_eq!(together.len(), 4);
        for (got, want) in together.as_raw().iter().zip(&alone) {
            assert_eq!(bytes_of(got), bytes_of(want));
        }
        let counts: Vec<(c_int, c_int)> = together
            .iter()
            .map(|e| (e.kve_resident, e.kve_private_resident))
            .collect();
        let pages = |kb: i64| (kb * 1024 / i64::from(page())) as c_int;
        assert_eq!(
            counts,
            [
                (pages(4), pages(4)),
                (pages(123_456_789), pages(3)),
                (pages(8), pages(8)),
                (pages(12), pages(12)),
            ]
        );
        assert_ne!(together[1].kve_flags & KVME_FLAG_SUPER, 0);
        assert_eq!(together[3].kve_flags & KVME_FLAG_SUPER, 0);
    }

    fn bytes_of(entry: &kinfo_vmentry) -> &[u8] {
        // SAFETY: an entry is plain integers and bytes, `size_of` of them.
        unsafe {
            core::slice::from_raw_parts(
                core::ptr::from_ref(entry).cast::<u8>(),
                size_of::<kinfo_vmentry>(),
            )
        }
    }

    #[test]
    fn malformed_text_names_its_line() {
        for (resident, text, line) in [
            (Resident::Count, "Rss: 4 kB\n", 1),
            (
                Resident::Count,
                "1000-2000 r--p 00000000 00:00 0 \nRss: four kB\n",
                2,
            ),
            (Resident::Count, "1000-2000 r--p 00000000 00:00 0 \n#\n", 2),
            // In the place and shape of a line of the first record.
            (
                Resident::Count,
                "1000-2000 r--p 00000000 00:00 0 \nRss:                   4 kB\n\
                 2000-3000 r--p 00000000 00:00 0 \nRss:                four kB\n",
                4,
            ),
            (
                Resident::Skip,
                "1000-2000 r--p 00000000 00:00 0 \nRss: 4 kB\n",
                2,
            ),
            (Resident::Skip, "garbage\n", 1),
            (Resident::Skip, "1000-2000 r--p 00000000 00:00 0 \ncut", 2),
        ] {
            let error = build(resident, text).unwrap_err();
            assert_eq!(error, Error::MalformedText { line }, "{text:?}");
        }
    }

    #[test]
    fn a_vma_printed_again_after_it_changed_is_dropped() {
        // The heap grew between two reads and was printed again; then two
        // VMAs merged between two reads.
        let text = "\
1000-3000 rw-p 00000000 00:00 0 [heap]
1000-5000 rw-p 00000000 00:00 0 [heap]
6000-7000 rw-p 00000000 00:00 0 
7000-8000 r--p 00000000 00:00 0 
6000-9000 rw-p 00000000 00:00 0 
a000-b000 rw-p 00000000 00:00 0 
";
        for resident in [Resident::Count, Resident::Skip] {
            let map = build(resident, text).unwrap();
            let spans: Vec<(u64, u64)> = map.iter().map(|e| (e.kve_start, e.kve_end)).collect();
            assert_eq!(
                spans,
                [
                    (0x1000, 0x3000),
                    (0x6000, 0x7000),
                    (0x7000, 0x8000),
                    (0xa000, 0xb000)
                ]
            );
            assert_eq!(map.linux_name(0), Some(&b"[heap]"[..]));
            assert_eq!(map.linux_name(1), None);
        }
    }

    #[test]
    fn counts_saturate_to_an_int() {
        assert_eq!(pages(8, 4096), 2);
        assert_eq!(pages(6, 4096), 1);
        assert_eq!(pages(u64::MAX, 4096), c_int::MAX);
        assert_eq!(pages(4, 0), 4096);
    }
}
