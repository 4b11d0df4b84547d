//! Linux: the map comes from `/proc/PID/smaps`, or from `/proc/PID/maps`
//! when resident counts are skipped.
//!
//! Linux has no `KERN_PROC_VMMAP`; what it has is text. `smaps` gives one
//! record per VMA with its resident counts and `VmFlags`; `maps` gives the
//! same VMAs without them and costs far less for the kernel to write, so it
//! is read when the environment variable `KINFO_VMMAP_SKIP_RESIDENT_COUNT`
//! is set to a number other than 0 (the analogue of FreeBSD's sysctl
//! `kern.proc_vmmap_skip_resident_count`, read at every call as the sysctl
//! is). Without the counts, `VmFlags` is unknown too: no
//! `KVME_MAX_PROT_*`, no wiring, core-dump or huge page flags, and only
//! `[stack]` is known to grow down. The text is read in chunks and
//! parsed line by line as it arrives (`procfs_text.rs`), each VMA written
//! straight into its slot of the malloc'd array.
//!
//! Linux 6.11 added the `PROCMAP_QUERY` ioctl, which answers one VMA per
//! call in binary. Measured on Linux 6.18 against a process with 10,000
//! mappings, listing them all through the `maps` text costs 2.3 ms, through
//! the ioctl 3.4 ms (the ioctls alone, building nothing, 3.0 ms; the raw
//! read of the text 1.4 ms), and the ioctl cannot see the gate VMA
//! (`[vsyscall]`) at all. So the library reads text only, and needs no
//! fallback for kernels without the ioctl; the ioctl reader lives in
//! `benches/linux.rs`, to rerun the comparison.
//!
//! Nothing on the call path can abort: no `std::fs`, `String`, `PathBuf` or
//! `format!`; the `/proc` paths are built on the stack, files are opened with
//! `open(2)` and closed by a guard on every path, and every buffer grows
//! with `try_reserve`.
//!
//! | field | from |
//! |---|---|
//! | `kve_start`, `kve_end`, `kve_offset` | the map line, as the kernel prints them |
//! | `kve_protection` | `rwx` of the perms; `KVME_MAX_PROT_*` from `VmFlags` `mr` `mw` `me` (smaps only) |
//! | `kve_type` | see below |
//! | `kve_flags` | `COW` for private (`p`) mappings; from `VmFlags`: `GROWS_DOWN` (`gd`), `USER_WIRED` (`lo`), `NOCOREDUMP` (`dd`); `SUPER` when `AnonHugePages`, `ShmemPmdMapped` or `FilePmdMapped` is above 0 or `VmFlags` has `ht`; `SYSVSHM` for `/SYSV%08x`; `POSIXSHM` under `/dev/shm/` |
//! | `kve_resident` | `Rss` in pages; 0 when counts are skipped |
//! | `kve_private_resident` | `Private_Clean` + `Private_Dirty` in pages; 0 when skipped |
//! | `kve_vn_fileid` | the inode column |
//! | `kve_vn_fsid`, `kve_vn_fsid_freebsd11` | `makedev(major, minor)` of the device column; its low 32 bits |
//! | `kve_vn_size`, `kve_vn_mode`, `kve_vn_type`, `kve_vn_rdev`, `kve_vn_rdev_freebsd11`, `kve_status` | `stat(2)` of the path, only when its `st_dev` and `st_ino` are the mapping's; then `KF_ATTR_VALID` |
//! | `kve_path` | the name column, unescaped, cut to 1023 bytes and a NUL |
//! | `kve_ref_count`, `kve_shadow_count` | 0: Linux has no such counts |
//!
//! | what is mapped | `kve_type` |
//! |---|---|
//! | a file | `VNODE` (with `KF_ATTR_VALID` when `stat` confirms it) |
//! | a character or block device (by `stat`) | `DEVICE` |
//! | anonymous memory: no name, `[heap]`, `[stack]`, `[anon:...]`, shared anonymous memory (`/dev/zero (deleted)`), a private mapping of `/dev/zero`, SysV shared memory, `/anon_hugepage (deleted)` | `SWAP` |
//! | kernel pseudo mappings: `[vvar]`, `[vvar_vclock]`, `[vdso]`, `[vsyscall]`, `[uprobes]`, and ARM's `[vectors]`, `[sigpage]` | `PHYS`, as FreeBSD's shared page is an `OBJT_PHYS` object (`ph` in procstat) |
//!
//! Decisions:
//! - A deleted file keeps Linux's text, such as `/tmp/x (deleted)`, so
//!   that no tool mistakes a new file at the old path for the one mapped;
//!   `stat` cannot confirm it, so it has no `KF_ATTR_VALID`.
//! - The kernel writes a newline in a path as `\012` and leaves a literal
//!   backslash alone, so a name that really holds `\012` prints the same.
//!   The decoded name is used unless only the literal one `stat`s to the
//!   mapped file.
//! - Pseudo names (`[heap]`, `[stack]`, `[vdso]`, `[anon:name]`) are kept
//!   in `kve_path`, where FreeBSD leaves the path empty: they cannot be
//!   mistaken for files, since they do not start with `/`, and `kve_type`
//!   says what the entry is.
//! - `stat` runs in the caller's mount namespace, on a path the kernel
//!   printed in the target's; the device and inode check keeps a different
//!   file at that path (or none) from lending its attributes. Consecutive
//!   mappings of one file are `stat`ed once.
//! - When the maps are empty, `/proc/PID/stat` says why: a kernel thread
//!   (no address space) gets an empty map, anything else (a zombie, a
//!   process exiting) is ESRCH, as on FreeBSD.
//! - A private mapping of `/dev/zero` is anonymous memory (`SWAP`), as on
//!   FreeBSD, but keeps the path and the attributes `stat` confirmed.
//! - The text is not a snapshot: the kernel drops the map's lock between
//!   two reads (every page of text or so) and resumes at the end address
//!   of the last VMA it printed, so a VMA that grew or merged in between
//!   is printed again, overlapping what came before. Such a record is
//!   dropped: FreeBSD's walk, on finding the map changed, likewise resumes
//!   after the entry holding the last address it reported, so entries are
//!   always in address order and never overlap.

use alloc::vec::Vec;
use core::ffi::{CStr, c_char, c_int};
use core::sync::atomic::{AtomicU64, Ordering};

use crate::abi::{
    KF_ATTR_VALID, KINFO_VMENTRY_SIZE, KVE_PATH_SIZE, KVME_FLAG_COW, KVME_FLAG_GROWS_DOWN,
    KVME_FLAG_NOCOREDUMP, KVME_FLAG_POSIXSHM, KVME_FLAG_SUPER, KVME_FLAG_SYSVSHM,
    KVME_FLAG_USER_WIRED, KVME_MAX_PROT_EXEC, KVME_MAX_PROT_READ, KVME_MAX_PROT_WRITE,
    KVME_PROT_EXEC, KVME_PROT_READ, KVME_PROT_WRITE, KVME_TYPE_DEVICE, KVME_TYPE_PHYS,
    KVME_TYPE_SWAP, KVME_TYPE_VNODE, kinfo_vmentry_type_spec,
};
use crate::error::Error;
use crate::sys::procfs_text::{
    Lines, MapLine, Perms, SmapsCounts, SmapsLine, Unescaped, VmFlags, parse_map_line,
    parse_smaps_line, parse_stat, unescape_path,
};
use crate::vmmap::VmMap;

/// Set to a number other than 0, resident counts are skipped.
const SKIP_RESIDENT_COUNT: &CStr = c"KINFO_VMMAP_SKIP_RESIDENT_COUNT";

/// Bytes asked of each `read(2)`. `seq_file` hands back at most its own
/// buffer's worth (a page, or one record if larger) per call whatever is
/// asked, so a larger buffer buys nothing but room for long lines.
const CHUNK: usize = 64 * 1024;

/// `PF_EXITING` and `PF_KTHREAD` of `include/linux/sched.h`, in the flags
/// field of `/proc/PID/stat`.
const PF_EXITING: u64 = 0x0000_0004;
const PF_KTHREAD: u64 = 0x0020_0000;

/// `KF_VTYPE_*` of FreeBSD's `<sys/user.h>` (checked against the copy zig
/// ships, which `scripts/setup.sh` installs), for `kve_vn_type`. `abi.rs`
/// does not define them, since no FreeBSD code of this crate needs them.
const KF_VTYPE_VREG: c_int = 1;
const KF_VTYPE_VDIR: c_int = 2;
const KF_VTYPE_VBLK: c_int = 3;
const KF_VTYPE_VCHR: c_int = 4;
const KF_VTYPE_VLNK: c_int = 5;
const KF_VTYPE_VSOCK: c_int = 6;
const KF_VTYPE_VFIFO: c_int = 7;
const KF_VTYPE_UNKNOWN: c_int = 255;

/// Mappings the kernel installs itself, FreeBSD's shared page's kin.
const KERNEL_PSEUDO_NAMES: [&[u8]; 7] = [
    b"[vvar]",
    b"[vvar_vclock]",
    b"[vdso]",
    b"[vsyscall]",
    b"[uprobes]",
    b"[vectors]",
    b"[sigpage]",
];

/// Whether resident counts are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resident {
    /// From `smaps`, with counts and `VmFlags`.
    Count,
    /// From `maps`: counts are 0 and `VmFlags` unknown.
    Skip,
}

impl Resident {
    /// The choice `KINFO_VMMAP_SKIP_RESIDENT_COUNT` makes.
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
        Self::from_setting(Some(unsafe { CStr::from_ptr(value) }.to_bytes()))
    }

    /// Like the sysctl it stands in for, the variable is a number, and any
    /// but 0 skips the counts; unset, empty or not a number, they are read.
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

/// The map of process `pid`, counts skipped as the environment says.
pub(crate) fn vmmap(pid: i32) -> Result<VmMap, Error> {
    vmmap_with(pid, Resident::from_env())
}

/// The map of process `pid`, with or without resident counts.
pub(crate) fn vmmap_with(pid: i32, resident: Resident) -> Result<VmMap, Error> {
    let pid = u32::try_from(pid).map_err(|_| Error::NoSuchProcess)?;
    let mut path = ProcPath::new();
    let leaf: &[u8] = match resident {
        Resident::Count => b"smaps",
        Resident::Skip => b"maps",
    };
    let fd = Fd::open(path.of(pid, leaf))?;
    let mut builder = Builder::new(resident)?;
    let complete = read_lines(&fd, |line| builder.line(line))?;
    drop(fd);
    if !complete {
        return Err(builder.malformed_next_line());
    }
    let map = builder.finish()?;
    if map.is_empty() {
        why_no_map(pid)?;
    }
    Ok(map)
}

/// When the maps are empty: success for a kernel thread, which has no
/// address space, and ESRCH for anything else, a zombie or a process
/// whose address space is already torn down as it exits.
fn why_no_map(pid: u32) -> Result<(), Error> {
    let mut path = ProcPath::new();
    let fd = Fd::open(path.of(pid, b"stat"))?;
    // Everything up to the flags fits: the name is at most 64 bytes.
    let mut text = [0u8; 512];
    let mut filled = 0;
    while let Some(spare) = text.get_mut(filled..).filter(|s| !s.is_empty()) {
        match fd.read(spare)? {
            0 => break,
            n => filled += n,
        }
    }
    let stat = parse_stat(text.get(..filled).unwrap_or_default())
        .ok_or(Error::MalformedText { line: 1 })?;
    let zombie = matches!(stat.state, b'Z' | b'X' | b'x');
    let kernel_thread = stat.flags & PF_KTHREAD != 0 && stat.flags & PF_EXITING == 0;
    if kernel_thread && !zombie {
        Ok(())
    } else {
        Err(Error::NoSuchProcess)
    }
}

/// Feeds `on_line` every line of the file, as the chunks arrive; the part
/// of a line a chunk cuts off waits at the front of the buffer for the
/// rest. The kernel ends every line with `\n`: false when the last line
/// has none, and so is malformed.
fn read_lines(fd: &Fd, mut on_line: impl FnMut(&[u8]) -> Result<(), Error>) -> Result<bool, Error> {
    let mut buf: Vec<u8> = Vec::new();
    buf.try_reserve_exact(CHUNK)
        .map_err(|_| Error::OutOfMemory)?;
    buf.resize(CHUNK, 0);
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            // One line longer than the buffer: make room for the rest.
            buf.try_reserve(buf.len()).map_err(|_| Error::OutOfMemory)?;
            buf.resize(buf.capacity(), 0);
        }
        let n = fd.read(buf.get_mut(filled..).unwrap_or_default())?;
        if n == 0 {
            break;
        }
        filled += n;
        let text = buf.get(..filled).unwrap_or_default();
        let mut lines = Lines::new(text);
        for line in &mut lines {
            on_line(line)?;
        }
        let consumed = filled - lines.rest().len();
        buf.copy_within(consumed..filled, 0);
        filled -= consumed;
    }
    Ok(filled == 0)
}

/// `/proc/<pid>/<leaf>` and its NUL, built on the stack.
struct ProcPath([u8; 32]);

impl ProcPath {
    fn new() -> Self {
        Self([0; 32])
    }

    /// At most 6 + 10 + 1 + 5 + 1 = 23 bytes, for the longest pid and leaf.
    fn of(&mut self, pid: u32, leaf: &[u8]) -> &CStr {
        let mut digits = [0u8; 10];
        let mut at = digits.len();
        let mut rest = pid;
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        debug_assert!(leaf.len() <= 5 && !leaf.contains(&0));
        let parts: [&[u8]; 5] = [b"/proc/", &digits[at..], b"/", leaf, b"\0"];
        let mut len = 0;
        for part in parts {
            self.0[len..len + part.len()].copy_from_slice(part);
            len += part.len();
        }
        CStr::from_bytes_until_nul(&self.0).expect("the path ends in the NUL written last")
    }
}

/// An open file descriptor, closed when dropped.
struct Fd(c_int);

impl Fd {
    fn open(path: &CStr) -> Result<Self, Error> {
        loop {
            // SAFETY: `path` is NUL-terminated and outlives the call.
            let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
            if fd >= 0 {
                return Ok(Self(fd));
            }
            match errno() {
                libc::EINTR => continue,
                errno => return Err(proc_error(errno)),
            }
        }
    }

    /// Reads into `buf`; 0 at the end of the file.
    fn read(&self, buf: &mut [u8]) -> Result<usize, Error> {
        loop {
            // SAFETY: `buf` is valid for writes of `buf.len()` bytes, and the
            // descriptor is open for as long as `self` lives.
            let n = unsafe { libc::read(self.0, buf.as_mut_ptr().cast(), buf.len()) };
            if let Ok(n) = usize::try_from(n) {
                return Ok(n.min(buf.len()));
            }
            match errno() {
                libc::EINTR => continue,
                errno => return Err(proc_error(errno)),
            }
        }
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: the descriptor is owned by this guard and closed once.
        unsafe { libc::close(self.0) };
    }
}

fn errno() -> c_int {
    crate::sys::errno::get()
}

/// The error for a failed `open` or `read` under `/proc/PID`.
///
/// A missing directory is a missing process, unless `/proc` itself is not
/// mounted: then there is nothing to read the map from (ENOSYS). Another
/// user's process fails the kernel's ptrace check with EACCES.
fn proc_error(errno: c_int) -> Error {
    match errno {
        libc::ENOENT if !proc_is_mounted() => Error::Unsupported,
        libc::ENOENT | libc::ESRCH => Error::NoSuchProcess,
        libc::EACCES | libc::EPERM => Error::PermissionDenied,
        errno => Error::from_errno(errno),
    }
}

fn proc_is_mounted() -> bool {
    // SAFETY: the path is NUL-terminated.
    unsafe { libc::access(c"/proc/self/stat".as_ptr(), libc::F_OK) == 0 }
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
    /// How much of the name `Builder::path` holds.
    path: Unescaped,
    counts: SmapsCounts,
}

/// Turns lines into entries.
struct Builder {
    map: VmMap,
    resident: Resident,
    page_size: u64,
    stat_cache: StatCache,
    /// The unescaped, NUL-terminated name of the pending VMA: its map line
    /// may be gone from the read buffer by the time its record ends.
    path: [u8; KVE_PATH_SIZE],
    pending: Option<Pending>,
    /// The end of the last entry written: a record starting below it is a
    /// later view of a VMA already reported.
    reported_end: u64,
    /// Lines seen so far, to say which one did not parse.
    lines: usize,
}

impl Builder {
    fn new(resident: Resident) -> Result<Self, Error> {
        Ok(Self {
            map: VmMap::with_capacity(0)?,
            resident,
            page_size: page_size(),
            stat_cache: StatCache::default(),
            path: [0; KVE_PATH_SIZE],
            pending: None,
            reported_end: 0,
            lines: 0,
        })
    }

    /// The error for the line after the last one fed: one that did not
    /// parse, or an unterminated last line.
    fn malformed_next_line(&self) -> Error {
        Error::MalformedText {
            line: self.lines + 1,
        }
    }

    fn line(&mut self, line: &[u8]) -> Result<(), Error> {
        let malformed = self.malformed_next_line();
        self.lines += 1;
        match self.resident {
            Resident::Skip => {
                let map_line = parse_map_line(line).ok_or(malformed)?;
                self.begin(&map_line);
                self.end_record()
            }
            Resident::Count => match parse_smaps_line(line).ok_or(malformed)? {
                SmapsLine::Map(map_line) => {
                    self.end_record()?;
                    self.begin(&map_line);
                    Ok(())
                }
                // A field before any map line belongs to nothing.
                other => {
                    let pending = self.pending.as_mut().ok_or(malformed)?;
                    pending.counts.record(other);
                    Ok(())
                }
            },
        }
    }

    fn begin(&mut self, line: &MapLine<'_>) {
        self.pending = Some(Pending {
            start: line.start,
            end: line.end,
            perms: line.perms,
            offset: line.offset,
            major: line.major,
            minor: line.minor,
            inode: line.inode,
            path: self.name(line),
            counts: SmapsCounts::default(),
        });
    }

    /// Writes the line's name into `self.path`: decoded, unless it held a
    /// `\012` and only the literal name is the mapped file.
    fn name(&mut self, line: &MapLine<'_>) -> Unescaped {
        let decoded = unescape_path(line.name, &mut self.path, true);
        if !decoded.decoded || line.inode == 0 {
            return decoded;
        }
        let fsid = libc::makedev(line.major, line.minor);
        let is_mapped_file = |path: &[u8]| {
            CStr::from_bytes_until_nul(path)
                .ok()
                .and_then(|path| stat_if_same_file(path, fsid, line.inode))
                .is_some()
        };
        if is_mapped_file(&self.path) {
            return decoded;
        }
        let literal = unescape_path(line.name, &mut self.path, false);
        if is_mapped_file(&self.path) {
            return literal;
        }
        unescape_path(line.name, &mut self.path, true)
    }

    fn finish(mut self) -> Result<VmMap, Error> {
        self.end_record()?;
        Ok(self.map)
    }

    /// Writes the pending VMA, if any, into the next slot of the map.
    fn end_record(&mut self) -> Result<(), Error> {
        let Some(vma) = self.pending.take() else {
            return Ok(());
        };
        if vma.start < self.reported_end {
            return Ok(());
        }
        self.reported_end = vma.end.max(self.reported_end);
        // In `maps` mode the counts and `VmFlags` are unknown, not zero.
        let counts = match self.resident {
            Resident::Count => Some(&vma.counts),
            Resident::Skip => None,
        };
        let path = self.path.get(..vma.path.len).unwrap_or_default();
        let fsid = libc::makedev(vma.major, vma.minor);
        let attrs = match (path.first(), vma.path.truncated, vma.inode) {
            (Some(b'/'), false, 1..) => {
                let path = CStr::from_bytes_until_nul(&self.path)
                    .expect("unescape_path leaves a NUL in the buffer");
                self.stat_cache.attrs(path, fsid, vma.inode)
            }
            _ => None,
        };
        let (kve_type, type_flags) = classify(path, attrs.as_ref());

        self.map.reserve(1)?;
        let slot = self.map.next_slot().expect("reserve made room for one");
        // Zeroed in place: `slot.write(kinfo_vmentry::zeroed())` builds the
        // 1160 bytes on the stack and copies them, twice the memory traffic
        // for what is the largest single cost of a call.
        // SAFETY: the slot is valid for writing one entry.
        unsafe { slot.as_mut_ptr().write_bytes(0, 1) };
        // SAFETY: all zero bytes are a valid `kinfo_vmentry` (integers only).
        let entry = unsafe { slot.assume_init_mut() };
        entry.kve_structsize = KINFO_VMENTRY_SIZE;
        entry.kve_type = kve_type;
        entry.kve_start = vma.start;
        entry.kve_end = vma.end;
        entry.kve_offset = vma.offset;
        entry.kve_vn_fileid = vma.inode;
        entry.kve_type_spec = kinfo_vmentry_type_spec { _kve_vn_fsid: fsid };
        // FreeBSD 11's field holds the id cut to 32 bits, as its kernel does.
        entry.kve_vn_fsid_freebsd11 = fsid as u32;
        entry.kve_protection = protection(vma.perms, counts.and_then(|c| c.vm_flags));
        entry.kve_flags = flags(vma.perms, counts, path) | type_flags;
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
        for (dst, &src) in entry.kve_path.iter_mut().zip(path) {
            *dst = src as c_char;
        }
        // SAFETY: the whole entry was initialised (zeroed) above.
        unsafe { self.map.commit() };
        Ok(())
    }
}

/// `kb` kilobytes in pages, saturated to an `int`.
fn pages(kb: u64, page_size: u64) -> c_int {
    let pages = kb.saturating_mul(1024) / page_size.max(1);
    c_int::try_from(pages).unwrap_or(c_int::MAX)
}

/// The page size, asked of `sysconf` once.
fn page_size() -> u64 {
    static PAGE_SIZE: AtomicU64 = AtomicU64::new(0);
    let cached = PAGE_SIZE.load(Ordering::Relaxed);
    if cached != 0 {
        return cached;
    }
    // SAFETY: `sysconf` has no preconditions.
    let asked = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    let size = u64::try_from(asked).ok().filter(|&s| s > 0).unwrap_or(4096);
    PAGE_SIZE.store(size, Ordering::Relaxed);
    size
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
fn flags(perms: Perms, counts: Option<&SmapsCounts>, path: &[u8]) -> c_int {
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
        None if path == b"[stack]" => flags |= KVME_FLAG_GROWS_DOWN,
        None => {}
    }
    if counts.is_some_and(SmapsCounts::huge_pages) {
        flags |= KVME_FLAG_SUPER;
    }
    flags
}

/// `kve_type`, and the flags that say which kind of shared memory it is,
/// for a mapping of `path` (unescaped), with its attributes when `stat`
/// confirmed it.
fn classify(path: &[u8], attrs: Option<&VnAttrs>) -> (c_int, c_int) {
    const ZERO: u64 = libc::makedev(1, 5);
    if let Some(attrs) = attrs {
        return match attrs.mode & libc::S_IFMT {
            // A private mapping of /dev/zero is anonymous memory, on Linux
            // as on FreeBSD; the device only lends it its name.
            libc::S_IFCHR if attrs.rdev == ZERO => (KVME_TYPE_SWAP, 0),
            libc::S_IFCHR | libc::S_IFBLK => (KVME_TYPE_DEVICE, 0),
            _ => (KVME_TYPE_VNODE, posix_shm(path)),
        };
    }
    match path {
        [] => (KVME_TYPE_SWAP, 0),
        [b'[', ..] if KERNEL_PSEUDO_NAMES.contains(&path) => (KVME_TYPE_PHYS, 0),
        // [heap], [stack], [anon:name], [anon_shmem:name], ...
        [b'[', ..] => (KVME_TYPE_SWAP, 0),
        // Shared anonymous memory lives in unlinked files of an internal
        // tmpfs; the kernel names them thus.
        b"/dev/zero (deleted)" | b"/anon_hugepage (deleted)" => (KVME_TYPE_SWAP, 0),
        _ if is_sysv_shm(path) => (KVME_TYPE_SWAP, KVME_FLAG_SYSVSHM),
        _ => (KVME_TYPE_VNODE, posix_shm(path)),
    }
}

/// `/SYSV%08x`, the name ipc/shm.c gives a segment, with the ` (deleted)`
/// that always follows (its file is never linked).
fn is_sysv_shm(path: &[u8]) -> bool {
    let name = path.strip_suffix(b" (deleted)").unwrap_or(path);
    match name.strip_prefix(b"/SYSV") {
        Some(key) => key.len() == 8 && key.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
        None => false,
    }
}

/// `POSIXSHM` for a file of the tmpfs where glibc's `shm_open` keeps them.
fn posix_shm(path: &[u8]) -> c_int {
    if path.starts_with(b"/dev/shm/") {
        KVME_FLAG_POSIXSHM
    } else {
        0
    }
}

fn vn_type(mode: u32) -> c_int {
    match mode & libc::S_IFMT {
        libc::S_IFREG => KF_VTYPE_VREG,
        libc::S_IFDIR => KF_VTYPE_VDIR,
        libc::S_IFBLK => KF_VTYPE_VBLK,
        libc::S_IFCHR => KF_VTYPE_VCHR,
        libc::S_IFLNK => KF_VTYPE_VLNK,
        libc::S_IFSOCK => KF_VTYPE_VSOCK,
        libc::S_IFIFO => KF_VTYPE_VFIFO,
        _ => KF_VTYPE_UNKNOWN,
    }
}

/// What `stat(2)` says of a mapped file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct VnAttrs {
    size: u64,
    mode: u32,
    rdev: u64,
}

/// The last file `stat`ed, so that the several mappings of one file (text,
/// data, relro, ...) cost one `stat`.
#[derive(Default)]
struct StatCache {
    last: Option<((u64, u64), Option<VnAttrs>)>,
}

impl StatCache {
    /// The attributes of the file at `path`, if it is the one on device
    /// `dev` with inode `ino`.
    fn attrs(&mut self, path: &CStr, dev: u64, ino: u64) -> Option<VnAttrs> {
        if let Some((key, attrs)) = self.last
            && key == (dev, ino)
        {
            return attrs;
        }
        let attrs = stat_if_same_file(path, dev, ino);
        self.last = Some(((dev, ino), attrs));
        attrs
    }
}

fn stat_if_same_file(path: &CStr, dev: u64, ino: u64) -> Option<VnAttrs> {
    let mut st = core::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `path` is NUL-terminated and `st` is valid for writing a
    // `struct stat`; both outlive the call.
    if unsafe { libc::stat(path.as_ptr(), st.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: `stat` succeeded, so it filled `st`.
    let st = unsafe { st.assume_init() };
    // `ino_t` is 32 bits wide on some 32-bit targets.
    #[allow(clippy::useless_conversion)]
    let st_ino = u64::from(st.st_ino);
    (st.st_dev == dev && st_ino == ino).then(|| VnAttrs {
        size: u64::try_from(st.st_size).unwrap_or(0),
        mode: st.st_mode,
        rdev: st.st_rdev,
    })
}

/// The map `text` describes, built as a read of `/proc` builds it (names
/// that look like files are `stat`ed), without the read: the fuzz checks'
/// way in (`src/fuzz.rs`).
#[cfg(feature = "internals")]
pub(crate) fn vmmap_from_text(text: &[u8], resident: Resident) -> Result<VmMap, Error> {
    let mut builder = Builder::new(resident)?;
    let mut lines = Lines::new(text);
    for line in &mut lines {
        builder.line(line)?;
    }
    if !lines.rest().is_empty() {
        return Err(builder.malformed_next_line());
    }
    builder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{KVME_TYPE_PHYS, KVME_TYPE_SWAP, KVME_TYPE_VNODE, kinfo_vmentry};
    use core::ffi::c_void;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    use std::path::{Path, PathBuf};

    fn page() -> usize {
        page_size() as usize
    }

    fn own_pid() -> i32 {
        std::process::id() as i32
    }

    /// One `smaps` record, read the obvious way.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Reference {
        start: u64,
        end: u64,
        perms: String,
        rss_kb: u64,
        private_kb: u64,
        anon_huge_kb: u64,
        vm_flags: Vec<String>,
    }

    fn reference(pid: i32) -> Vec<Reference> {
        let bytes = std::fs::read(format!("/proc/{pid}/smaps")).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let mut records: Vec<Reference> = Vec::new();
        for line in text.lines() {
            let cols: Vec<&str> = line.split_whitespace().collect();
            match cols[0].split_once('-') {
                Some((start, end)) if !cols[0].ends_with(':') => records.push(Reference {
                    start: u64::from_str_radix(start, 16).unwrap(),
                    end: u64::from_str_radix(end, 16).unwrap(),
                    perms: cols[1].to_string(),
                    rss_kb: 0,
                    private_kb: 0,
                    anon_huge_kb: 0,
                    vm_flags: Vec::new(),
                }),
                _ => {
                    let last = records.last_mut().unwrap();
                    let kb = || cols[1].parse::<u64>().unwrap();
                    match cols[0] {
                        "Rss:" => last.rss_kb = kb(),
                        "Private_Clean:" | "Private_Dirty:" => last.private_kb += kb(),
                        "AnonHugePages:" => last.anon_huge_kb = kb(),
                        "VmFlags:" => {
                            last.vm_flags = cols[1..].iter().map(|s| s.to_string()).collect()
                        }
                        _ => {}
                    }
                }
            }
        }
        records
    }

    /// The maps text's start, end and perms, read the obvious way.
    fn reference_maps(pid: i32) -> Vec<(u64, u64, String)> {
        let bytes = std::fs::read(format!("/proc/{pid}/maps")).unwrap();
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(|line| {
                let cols: Vec<&str> = line.split_whitespace().collect();
                let (start, end) = cols[0].split_once('-').unwrap();
                (
                    u64::from_str_radix(start, 16).unwrap(),
                    u64::from_str_radix(end, 16).unwrap(),
                    cols[1].to_string(),
                )
            })
            .collect()
    }

    fn rwx(perms: &str) -> c_int {
        let b = perms.as_bytes();
        (if b[0] == b'r' { KVME_PROT_READ } else { 0 })
            | (if b[1] == b'w' { KVME_PROT_WRITE } else { 0 })
            | (if b[2] == b'x' { KVME_PROT_EXEC } else { 0 })
    }

    fn assert_matches(entry: &kinfo_vmentry, want: &Reference) {
        let has = |code: &str| want.vm_flags.iter().any(|f| f == code);
        let mut prot = rwx(&want.perms);
        for (code, bit) in [
            ("mr", KVME_MAX_PROT_READ),
            ("mw", KVME_MAX_PROT_WRITE),
            ("me", KVME_MAX_PROT_EXEC),
        ] {
            if has(code) {
                prot |= bit;
            }
        }
        let kb_pages = |kb: u64| (kb * 1024 / page_size()) as c_int;
        assert_eq!(
            (
                entry.kve_start,
                entry.kve_end,
                entry.kve_protection,
                entry.kve_resident,
                entry.kve_private_resident,
                entry.kve_flags & KVME_FLAG_COW != 0,
                entry.kve_flags & KVME_FLAG_GROWS_DOWN != 0,
            ),
            (
                want.start,
                want.end,
                prot,
                kb_pages(want.rss_kb),
                kb_pages(want.private_kb),
                want.perms.ends_with('p'),
                has("gd"),
            ),
            "{entry:?}"
        );
        assert_eq!(entry.kve_structsize, KINFO_VMENTRY_SIZE);
    }

    /// A mapping of this process, unmapped when dropped.
    struct Mapping {
        addr: *mut c_void,
        len: usize,
    }

    impl Mapping {
        fn new(len: usize, prot: c_int, flags: c_int, fd: c_int, offset: usize) -> Self {
            // SAFETY: a new mapping at an address of the kernel's choosing
            // touches no existing memory.
            let addr = unsafe {
                libc::mmap(
                    core::ptr::null_mut(),
                    len,
                    prot,
                    flags,
                    fd,
                    offset as libc::off_t,
                )
            };
            assert_ne!(
                addr,
                libc::MAP_FAILED,
                "{}",
                std::io::Error::last_os_error()
            );
            Self { addr, len }
        }

        fn anonymous(pages: usize) -> Self {
            let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
            Self::new(
                pages * page(),
                libc::PROT_READ | libc::PROT_WRITE,
                flags,
                -1,
                0,
            )
        }

        fn start(&self) -> u64 {
            self.addr as u64
        }

        fn page_addr(&self, index: usize) -> *mut u8 {
            assert!(index * page() < self.len);
            self.addr.cast::<u8>().wrapping_add(index * page())
        }

        /// Protects page `index` with `prot`.
        fn protect(&self, index: usize, prot: c_int) {
            // SAFETY: the page lies inside this mapping, which no Rust
            // reference points into.
            let rc = unsafe { libc::mprotect(self.page_addr(index).cast(), page(), prot) };
            assert_eq!(rc, 0);
        }

        /// Dirties page `index`, which must be writable.
        fn touch(&self, index: usize) {
            // SAFETY: the page lies inside this mapping and is writable.
            unsafe { self.page_addr(index).write_volatile(1) };
        }

        /// The entry that starts where this mapping does.
        fn entry<'a>(&self, map: &'a VmMap) -> &'a kinfo_vmentry {
            map.iter()
                .find(|e| e.kve_start == self.start())
                .unwrap_or_else(|| panic!("no entry at {:#x}", self.start()))
        }
    }

    impl Drop for Mapping {
        fn drop(&mut self) {
            // SAFETY: the mapping is this guard's and unmapped once.
            unsafe { libc::munmap(self.addr, self.len) };
        }
    }

    /// A directory under the system's temporary directory, removed when
    /// dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> Self {
            let path =
                std::env::temp_dir().join(format!("kinfo vmmap {tag} {}", std::process::id()));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).unwrap();
            Self(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Maps `len` bytes of `path` from `offset`, read-only, private.
    fn map_file(path: &Path, len: usize, offset: usize) -> Mapping {
        use std::os::fd::AsRawFd;
        let file = std::fs::File::open(path).unwrap();
        Mapping::new(
            len,
            libc::PROT_READ,
            libc::MAP_PRIVATE,
            file.as_raw_fd(),
            offset,
        )
    }

    /// A forked child that maps `count` pages with alternating protections
    /// (read-write, read-only, ...) so that each is a VMA of its own,
    /// dirties every fourth, and waits to be killed.
    struct MappedChild {
        pid: i32,
        base: u64,
        count: usize,
    }

    impl MappedChild {
        fn spawn(count: usize) -> Self {
            let page = page();
            let mut fds = [0; 2];
            // SAFETY: `fds` has room for the two descriptors.
            assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
            // SAFETY: the child only makes system calls (no allocation, no
            // locks) and never returns from this block.
            let pid = unsafe { libc::fork() };
            assert!(pid >= 0);
            if pid == 0 {
                // SAFETY: raw system calls on memory this child maps itself.
                unsafe {
                    let prot = libc::PROT_READ | libc::PROT_WRITE;
                    let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
                    let base = libc::mmap(core::ptr::null_mut(), count * page, prot, flags, -1, 0);
                    let mut ok = base != libc::MAP_FAILED;
                    for i in (1..count).step_by(2) {
                        let addr = base.cast::<u8>().add(i * page);
                        ok &= ok && libc::mprotect(addr.cast(), page, libc::PROT_READ) == 0;
                    }
                    for i in (0..count).step_by(4) {
                        if ok {
                            base.cast::<u8>().add(i * page).write_volatile(1);
                        }
                    }
                    let word = if ok { base as u64 } else { 0 };
                    libc::write(fds[1], (&raw const word).cast(), 8);
                    loop {
                        libc::pause();
                    }
                }
            }
            // SAFETY: the write end is ours to close.
            unsafe { libc::close(fds[1]) };
            let mut word = 0u64;
            // SAFETY: `word` has room for the 8 bytes read.
            let n = unsafe { libc::read(fds[0], (&raw mut word).cast(), 8) };
            // SAFETY: the read end is ours to close.
            unsafe { libc::close(fds[0]) };
            let child = Self {
                pid,
                base: word,
                count,
            };
            assert!(n == 8 && word != 0, "the child could not map its pages");
            child
        }

        fn region_end(&self) -> u64 {
            self.base + (self.count * page()) as u64
        }
    }

    impl Drop for MappedChild {
        fn drop(&mut self) {
            // SAFETY: the child is ours; killing and reaping it touches
            // nothing else.
            unsafe {
                libc::kill(self.pid, libc::SIGKILL);
                libc::waitpid(self.pid, core::ptr::null_mut(), 0);
            }
        }
    }

    /// Forks a child that runs `body` and exits with its result; returns
    /// the exit status.
    fn in_child(body: impl FnOnce() -> c_int) -> c_int {
        // SAFETY: the child runs `body` and exits without returning;
        // glibc's fork leaves malloc usable in the child.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0);
        if pid == 0 {
            let code = body();
            // SAFETY: ends the child without running the parent's
            // destructors or the test harness.
            unsafe { libc::_exit(code) };
        }
        let mut status = 0;
        // SAFETY: `status` is a live int; the child is ours.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert!(libc::WIFEXITED(status), "status {status:#x}");
        libc::WEXITSTATUS(status)
    }

    #[test]
    fn the_own_map_matches_an_independent_reading() {
        let region = Mapping::anonymous(16);
        for i in (1..16).step_by(2) {
            region.protect(i, libc::PROT_READ);
        }
        for i in [0, 2, 6] {
            region.touch(i);
        }
        let before = reference(own_pid());
        let map = vmmap_with(own_pid(), Resident::Count).unwrap();
        let after = reference(own_pid());
        // The readings themselves allocate, and other tests run alongside:
        // only records the same in both readings are certain.
        let stable: Vec<&Reference> = before.iter().filter(|r| after.contains(r)).collect();
        assert!(
            stable.len() > before.len() / 2,
            "{} of {}",
            stable.len(),
            before.len()
        );
        for want in &stable {
            let got = map.iter().find(|e| e.kve_start == want.start).unwrap();
            assert_matches(got, want);
        }
        assert!(map.windows(2).all(|w| w[0].kve_end <= w[1].kve_start));

        let ours: Vec<&kinfo_vmentry> = map
            .as_raw()
            .iter()
            .filter(|e| {
                e.kve_start >= region.start() && e.kve_end <= region.start() + region.len as u64
            })
            .collect();
        assert_eq!(ours.len(), 16);
        for (i, entry) in ours.iter().enumerate() {
            let prot = if i % 2 == 0 {
                KVME_PROT_READ | KVME_PROT_WRITE
            } else {
                KVME_PROT_READ
            };
            let resident = c_int::from([0, 2, 6].contains(&i));
            let all = KVME_MAX_PROT_READ | KVME_MAX_PROT_WRITE | KVME_MAX_PROT_EXEC;
            assert_eq!(entry.kve_start, region.start() + (i * page()) as u64);
            assert_eq!(entry.kve_protection, prot | all);
            assert_eq!(
                (entry.kve_resident, entry.kve_private_resident),
                (resident, resident)
            );
            assert_eq!(
                (entry.kve_type, entry.kve_flags),
                (KVME_TYPE_SWAP, KVME_FLAG_COW)
            );
            assert_eq!(entry.path_bytes(), b"");
        }
    }

    #[test]
    fn skipping_counts_reads_the_same_map_without_them() {
        let region = Mapping::anonymous(4);
        region.touch(0);
        region.protect(1, libc::PROT_NONE);
        let before = reference_maps(own_pid());
        let map = vmmap_with(own_pid(), Resident::Skip).unwrap();
        let after = reference_maps(own_pid());
        let mut compared = 0;
        for want in before.iter().filter(|r| after.contains(r)) {
            let got = map.iter().find(|e| e.kve_start == want.0).unwrap();
            assert_eq!((got.kve_end, got.kve_protection), (want.1, rwx(&want.2)));
            compared += 1;
        }
        assert!(compared > before.len() / 2);
        for entry in map.as_raw().iter() {
            assert_eq!((entry.kve_resident, entry.kve_private_resident), (0, 0));
            let unknown = KVME_FLAG_USER_WIRED | KVME_FLAG_NOCOREDUMP | KVME_FLAG_SUPER;
            assert_eq!(entry.kve_flags & unknown, 0);
            let grows_down = entry.path_bytes() == b"[stack]";
            assert_eq!(entry.kve_flags & KVME_FLAG_GROWS_DOWN != 0, grows_down);
        }
        let first = region.entry(&map);
        assert_eq!(first.kve_protection, KVME_PROT_READ | KVME_PROT_WRITE);
        assert_eq!(first.kve_end, region.start() + page() as u64);
    }

    #[test]
    fn a_child_with_ten_thousand_mappings() {
        let child = MappedChild::spawn(10_000);
        // The child is blocked in pause(): its map holds still. Its counts
        // do not quite, since pages it shares with this process since the
        // fork become private to it as this process writes to its copies;
        // so counts are compared where two readings agree.
        let before = reference(child.pid);
        let map = vmmap_with(child.pid, Resident::Count).unwrap();
        let after = reference(child.pid);
        assert_eq!(map.len(), before.len());
        for ((got, want), again) in map.iter().zip(&before).zip(&after) {
            if want == again {
                assert_matches(got, want);
            } else {
                assert_eq!((got.kve_start, got.kve_end), (want.start, want.end));
                assert_eq!(got.kve_protection & 7, rwx(&want.perms));
            }
        }
        let in_region =
            |e: &&kinfo_vmentry| e.kve_start >= child.base && e.kve_end <= child.region_end();
        let region: Vec<&kinfo_vmentry> = map.as_raw().iter().filter(in_region).collect();
        assert_eq!(region.len(), 10_000);
        for (i, entry) in region.iter().enumerate() {
            let prot = if i % 2 == 0 {
                KVME_PROT_READ | KVME_PROT_WRITE
            } else {
                KVME_PROT_READ
            };
            assert_eq!(entry.kve_protection & 7, prot);
            assert_eq!(entry.kve_resident, c_int::from(i % 4 == 0));
        }

        let skipped = vmmap_with(child.pid, Resident::Skip).unwrap();
        assert_eq!(skipped.len(), map.len());
        for (got, full) in skipped.iter().zip(map.iter()) {
            assert_eq!((got.kve_start, got.kve_end), (full.kve_start, full.kve_end));
            assert_eq!(got.kve_protection, full.kve_protection & 7);
            assert_eq!((got.kve_resident, got.kve_type), (0, full.kve_type));
            assert_eq!(got.path_bytes(), full.path_bytes());
            assert_eq!(got.kve_status, full.kve_status);
        }
    }

    #[test]
    fn a_file_with_spaces_in_its_path() {
        let dir = TempDir::new("spaces");
        let path = dir.0.join(" a file  with spaces ");
        std::fs::write(&path, vec![7u8; 3 * page() + 100]).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        let mapping = map_file(&path, 2 * page(), page());
        for resident in [Resident::Count, Resident::Skip] {
            let map = vmmap_with(own_pid(), resident).unwrap();
            let entry = mapping.entry(&map);
            assert_eq!(entry.path_bytes(), path.as_os_str().as_bytes());
            assert_eq!(entry.kve_type, KVME_TYPE_VNODE);
            assert_eq!(entry.kve_status, KF_ATTR_VALID);
            assert_eq!(entry.kve_offset, page() as u64);
            assert_eq!(entry.kve_end - entry.kve_start, 2 * page() as u64);
            assert_eq!(entry.kve_vn_size, meta.len());
            assert_eq!(entry.kve_vn_mode, meta.mode() as u16);
            assert_eq!(entry.kve_vn_mode as u32 & libc::S_IFMT, libc::S_IFREG);
            assert_eq!(entry.kve_vn_type, KF_VTYPE_VREG);
            assert_eq!(entry.kve_vn_fileid, meta.ino());
            assert_eq!(entry.kve_vn_fsid(), meta.dev());
            assert_eq!(entry.kve_vn_fsid_freebsd11, meta.dev() as u32);
            assert_eq!(entry.kve_vn_rdev, 0);
            assert_eq!(entry.kve_flags & KVME_FLAG_COW, KVME_FLAG_COW);
            assert_eq!(entry.kve_protection & 7, KVME_PROT_READ);
        }
    }

    /// Maps a page of a file named `name` and returns its entry's path
    /// and status.
    fn mapped_name(dir: &str, name: &str) -> (Vec<u8>, Vec<u8>, u16) {
        let dir = TempDir::new(dir);
        let path = dir.0.join(name);
        std::fs::write(&path, vec![7u8; page()]).unwrap();
        let mapping = map_file(&path, page(), 0);
        let map = vmmap_with(own_pid(), Resident::Count).unwrap();
        let entry = mapping.entry(&map);
        let want = path.as_os_str().as_bytes().to_vec();
        (entry.path_bytes().to_vec(), want, entry.kve_status)
    }

    #[test]
    fn a_newline_in_a_path_is_unescaped() {
        let (got, want, status) = mapped_name("newline", "new\nline");
        assert_eq!(got, want);
        assert_eq!(status, KF_ATTR_VALID);
    }

    #[test]
    fn a_literal_backslash_escape_in_a_path_is_kept() {
        // The kernel prints this name exactly as it prints "lit\nback";
        // stat tells the two apart.
        let (got, want, status) = mapped_name("backslash", "lit\\012back");
        assert_eq!(got, want);
        assert_eq!(status, KF_ATTR_VALID);
    }

    #[test]
    fn a_deleted_file_keeps_the_kernels_suffix() {
        let dir = TempDir::new("deleted");
        let path = dir.0.join("gone");
        std::fs::write(&path, vec![7u8; page()]).unwrap();
        let mapping = map_file(&path, page(), 0);
        std::fs::remove_file(&path).unwrap();
        // A new file at the old path must not lend its attributes.
        std::fs::write(&path, b"impostor").unwrap();
        let map = vmmap_with(own_pid(), Resident::Count).unwrap();
        let entry = mapping.entry(&map);
        let mut want = path.as_os_str().as_bytes().to_vec();
        want.extend_from_slice(b" (deleted)");
        assert_eq!(entry.path_bytes(), want);
        assert_eq!((entry.kve_type, entry.kve_status), (KVME_TYPE_VNODE, 0));
        assert_eq!(entry.kve_vn_size, 0);
    }

    #[test]
    fn the_kernels_own_mappings_are_phys_and_the_stack_grows_down() {
        for resident in [Resident::Count, Resident::Skip] {
            let map = vmmap_with(own_pid(), resident).unwrap();
            let named = |name: &[u8]| map.as_raw().iter().find(|e| e.path_bytes() == name);
            let vdso = named(b"[vdso]").expect("a vDSO");
            assert_eq!(vdso.kve_type, KVME_TYPE_PHYS);
            let stack = named(b"[stack]").expect("a stack");
            assert_eq!(stack.kve_type, KVME_TYPE_SWAP);
            assert_ne!(stack.kve_flags & KVME_FLAG_GROWS_DOWN, 0);
            let exe = std::fs::read_link("/proc/self/exe").unwrap();
            let text = named(exe.as_os_str().as_bytes()).expect("the executable");
            assert_eq!(
                (text.kve_type, text.kve_status),
                (KVME_TYPE_VNODE, KF_ATTR_VALID)
            );
        }
    }

    #[test]
    fn vm_flags_become_entry_flags() {
        let locked = Mapping::anonymous(1);
        // SAFETY: the range is this test's own mapping.
        assert_eq!(unsafe { libc::mlock(locked.addr, locked.len) }, 0);
        let undumped = Mapping::anonymous(2);
        // SAFETY: as above.
        let rc = unsafe { libc::madvise(undumped.addr, undumped.len, libc::MADV_DONTDUMP) };
        assert_eq!(rc, 0);
        let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_GROWSDOWN;
        let grows = Mapping::new(4 * page(), libc::PROT_READ | libc::PROT_WRITE, flags, -1, 0);
        let dir = TempDir::new("flags");
        let path = dir.0.join("read-only");
        std::fs::write(&path, vec![7u8; page()]).unwrap();
        let shared = {
            use std::os::fd::AsRawFd;
            let file = std::fs::File::open(&path).unwrap();
            Mapping::new(
                page(),
                libc::PROT_READ,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            )
        };

        let map = vmmap_with(own_pid(), Resident::Count).unwrap();
        assert_ne!(locked.entry(&map).kve_flags & KVME_FLAG_USER_WIRED, 0);
        assert_ne!(undumped.entry(&map).kve_flags & KVME_FLAG_NOCOREDUMP, 0);
        assert_ne!(grows.entry(&map).kve_flags & KVME_FLAG_GROWS_DOWN, 0);
        let all = KVME_MAX_PROT_READ | KVME_MAX_PROT_WRITE | KVME_MAX_PROT_EXEC;
        assert_eq!(locked.entry(&map).kve_protection & all, all);
        // A shared mapping of a file opened read-only may never be written.
        let file = shared.entry(&map);
        assert_eq!(
            file.kve_protection,
            KVME_PROT_READ | KVME_MAX_PROT_READ | KVME_MAX_PROT_EXEC
        );
        assert_eq!(file.kve_flags & KVME_FLAG_COW, 0);

        let map = vmmap_with(own_pid(), Resident::Skip).unwrap();
        for mapping in [&locked, &undumped, &grows] {
            assert_eq!(mapping.entry(&map).kve_flags, KVME_FLAG_COW);
            assert_eq!(mapping.entry(&map).kve_protection & all, 0);
        }
        // SAFETY: as above.
        unsafe { libc::munlock(locked.addr, locked.len) };
    }

    #[test]
    fn transparent_huge_pages_set_super() {
        const HUGE: usize = 2 << 20;
        let area = Mapping::anonymous(2 * HUGE / page());
        let aligned = (area.start() as usize).next_multiple_of(HUGE);
        // SAFETY: the huge page lies inside this test's own mapping.
        unsafe {
            libc::madvise(aligned as *mut c_void, HUGE, libc::MADV_HUGEPAGE);
            (aligned as *mut u8).write_volatile(1);
        }
        let want = reference(own_pid());
        let map = vmmap_with(own_pid(), Resident::Count).unwrap();
        let got = map
            .iter()
            .find(|e| (e.kve_start..e.kve_end).contains(&(aligned as u64)))
            .unwrap();
        let huge = want
            .iter()
            .find(|r| (r.start..r.end).contains(&(aligned as u64)))
            .is_some_and(|r| r.anon_huge_kb > 0);
        // Whether the kernel had a huge page to give is up to it.
        assert_eq!(got.kve_flags & KVME_FLAG_SUPER != 0, huge);
        let skipped = vmmap_with(own_pid(), Resident::Skip).unwrap();
        assert!(skipped.iter().all(|e| e.kve_flags & KVME_FLAG_SUPER == 0));
    }

    #[test]
    fn shared_memory_of_every_kind() {
        use std::os::fd::AsRawFd;
        let rw = libc::PROT_READ | libc::PROT_WRITE;
        // SAFETY: a new private segment, attached where the kernel likes
        // and marked for removal once detached.
        let (sysv, shmid) = unsafe {
            let shmid = libc::shmget(libc::IPC_PRIVATE, page(), libc::IPC_CREAT | 0o600);
            assert!(shmid >= 0);
            let addr = libc::shmat(shmid, core::ptr::null(), 0);
            libc::shmctl(shmid, libc::IPC_RMID, core::ptr::null_mut());
            assert_ne!(addr as isize, -1);
            (addr, shmid)
        };
        let posix_path = format!("/dev/shm/kinfo-vmmap-test-{}", std::process::id());
        std::fs::write(&posix_path, vec![0u8; page()]).unwrap();
        let posix_file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&posix_path)
            .unwrap();
        let posix = Mapping::new(page(), rw, libc::MAP_SHARED, posix_file.as_raw_fd(), 0);
        let anon = Mapping::new(page(), rw, libc::MAP_SHARED | libc::MAP_ANONYMOUS, -1, 0);
        let zero_file = std::fs::File::open("/dev/zero").unwrap();
        let zero = Mapping::new(page(), rw, libc::MAP_PRIVATE, zero_file.as_raw_fd(), 0);

        let map = vmmap_with(own_pid(), Resident::Count).unwrap();
        let entry = map
            .as_raw()
            .iter()
            .find(|e| e.kve_start == sysv as u64)
            .unwrap();
        // IPC_PRIVATE is key 0.
        assert_eq!(entry.path_bytes(), b"/SYSV00000000 (deleted)", "id {shmid}");
        assert_eq!(
            (entry.kve_type, entry.kve_flags),
            (KVME_TYPE_SWAP, KVME_FLAG_SYSVSHM)
        );
        let entry = posix.entry(&map);
        assert_eq!(entry.path_bytes(), posix_path.as_bytes());
        assert_eq!(
            (entry.kve_type, entry.kve_flags),
            (KVME_TYPE_VNODE, KVME_FLAG_POSIXSHM)
        );
        assert_eq!(entry.kve_status, KF_ATTR_VALID);
        let entry = anon.entry(&map);
        assert_eq!(entry.path_bytes(), b"/dev/zero (deleted)");
        assert_eq!((entry.kve_type, entry.kve_flags), (KVME_TYPE_SWAP, 0));
        let entry = zero.entry(&map);
        assert_eq!(entry.path_bytes(), b"/dev/zero");
        assert_eq!(
            (entry.kve_type, entry.kve_flags),
            (KVME_TYPE_SWAP, KVME_FLAG_COW)
        );
        assert_eq!(
            (entry.kve_vn_type, entry.kve_vn_rdev),
            (KF_VTYPE_VCHR, libc::makedev(1, 5))
        );

        // SAFETY: the segment was attached above.
        unsafe { libc::shmdt(sysv) };
        std::fs::remove_file(&posix_path).unwrap();
    }

    #[test]
    fn a_negative_or_missing_pid_is_esrch() {
        for pid in [-1, i32::MIN, 0] {
            assert_eq!(
                vmmap_with(pid, Resident::Count).unwrap_err(),
                Error::NoSuchProcess
            );
        }
        let reaped = {
            // SAFETY: the child exits at once.
            let pid = unsafe { libc::fork() };
            if pid == 0 {
                // SAFETY: ends the child at once.
                unsafe { libc::_exit(0) };
            }
            // SAFETY: the child is ours.
            unsafe { libc::waitpid(pid, core::ptr::null_mut(), 0) };
            pid
        };
        for resident in [Resident::Count, Resident::Skip] {
            assert_eq!(
                vmmap_with(reaped, resident).unwrap_err(),
                Error::NoSuchProcess
            );
        }
    }

    #[test]
    fn a_zombie_is_esrch() {
        // SAFETY: the child exits at once.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            // SAFETY: ends the child at once.
            unsafe { libc::_exit(0) };
        }
        // Wait for it to die, but leave it unreaped.
        // SAFETY: `info` is writable; the child is ours.
        let mut info: libc::siginfo_t = unsafe { core::mem::zeroed() };
        // SAFETY: as above.
        let waited = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        assert_eq!(waited, 0);
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        assert!(stat.contains(") Z "), "{stat}");
        for resident in [Resident::Count, Resident::Skip] {
            assert_eq!(vmmap_with(pid, resident).unwrap_err(), Error::NoSuchProcess);
        }
        // SAFETY: reaps the child.
        unsafe { libc::waitpid(pid, core::ptr::null_mut(), 0) };
    }

    #[test]
    fn a_kernel_thread_has_an_empty_map() {
        let Ok(stat) = std::fs::read("/proc/2/stat") else {
            eprintln!("no pid 2 here; skipped");
            return;
        };
        let stat = parse_stat(&stat).unwrap();
        if stat.flags & PF_KTHREAD == 0 {
            eprintln!("pid 2 is no kernel thread here; skipped");
            return;
        }
        for resident in [Resident::Count, Resident::Skip] {
            assert!(vmmap_with(2, resident).unwrap().is_empty());
        }
    }

    #[test]
    fn another_users_process_is_eperm() {
        // SAFETY: `getuid` has no preconditions.
        if unsafe { libc::getuid() } != 0 {
            eprintln!("not root; skipped");
            return;
        }
        let status = in_child(|| {
            // SAFETY: drops this child's privileges; nothing else depends on them.
            let dropped = unsafe {
                libc::setgroups(0, core::ptr::null()) == 0
                    && libc::setgid(65534) == 0
                    && libc::setuid(65534) == 0
            };
            if !dropped {
                return 100;
            }
            match (
                vmmap_with(1, Resident::Count),
                vmmap_with(1, Resident::Skip),
            ) {
                (Err(a), Err(b)) if a == b => a.errno(),
                _ => 101,
            }
        });
        assert_eq!(status, libc::EPERM);
    }

    #[test]
    fn the_c_face_returns_the_map() {
        let mut count = -1;
        // SAFETY: `count` is a live int.
        let entries = unsafe { crate::capi::kinfo_getvmmap(own_pid(), &mut count) };
        assert!(!entries.is_null());
        // SAFETY: `entries` holds `count` entries from malloc.
        let map = unsafe { core::slice::from_raw_parts(entries, count as usize) };
        assert!(map.iter().any(|e| e.path_bytes() == b"[vdso]"));
        // SAFETY: the array came from malloc.
        unsafe { libc::free(entries.cast()) };
        // SAFETY: as above.
        let none = unsafe { crate::capi::kinfo_getvmmap(-5, &mut count) };
        assert!(none.is_null());
        assert_eq!((count, errno()), (0, libc::ESRCH));
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
    fn names_decide_the_type_when_stat_cannot() {
        for (path, want) in [
            (&b""[..], (KVME_TYPE_SWAP, 0)),
            (b"[heap]", (KVME_TYPE_SWAP, 0)),
            (b"[stack]", (KVME_TYPE_SWAP, 0)),
            (b"[anon:buffers]", (KVME_TYPE_SWAP, 0)),
            (b"[vdso]", (KVME_TYPE_PHYS, 0)),
            (b"[vvar]", (KVME_TYPE_PHYS, 0)),
            (b"[vvar_vclock]", (KVME_TYPE_PHYS, 0)),
            (b"[vsyscall]", (KVME_TYPE_PHYS, 0)),
            (b"[uprobes]", (KVME_TYPE_PHYS, 0)),
            (b"/dev/zero (deleted)", (KVME_TYPE_SWAP, 0)),
            (
                b"/SYSV1234abcd (deleted)",
                (KVME_TYPE_SWAP, KVME_FLAG_SYSVSHM),
            ),
            (b"/SYSV1234abc (deleted)", (KVME_TYPE_VNODE, 0)),
            (b"/SYSV1234ABCD (deleted)", (KVME_TYPE_VNODE, 0)),
            (b"/dev/shm/x", (KVME_TYPE_VNODE, KVME_FLAG_POSIXSHM)),
            (b"/memfd:x (deleted)", (KVME_TYPE_VNODE, 0)),
            (b"/tmp/x (deleted)", (KVME_TYPE_VNODE, 0)),
            (b"anon_inode:[perf_event]", (KVME_TYPE_VNODE, 0)),
        ] {
            assert_eq!(
                classify(path, None),
                want,
                "{}",
                String::from_utf8_lossy(path)
            );
        }
        let device = |mode, rdev| VnAttrs {
            size: 0,
            mode,
            rdev,
        };
        let blk = device(libc::S_IFBLK | 0o660, libc::makedev(8, 0));
        assert_eq!(classify(b"/dev/sda", Some(&blk)), (KVME_TYPE_DEVICE, 0));
        let fb = device(libc::S_IFCHR | 0o660, libc::makedev(29, 0));
        assert_eq!(classify(b"/dev/fb0", Some(&fb)), (KVME_TYPE_DEVICE, 0));
        let zero = device(libc::S_IFCHR | 0o666, libc::makedev(1, 5));
        assert_eq!(classify(b"/dev/zero", Some(&zero)), (KVME_TYPE_SWAP, 0));
        let file = device(libc::S_IFREG | 0o644, 0);
        assert_eq!(
            classify(b"/dev/shm/y", Some(&file)),
            (KVME_TYPE_VNODE, KVME_FLAG_POSIXSHM)
        );
    }

    #[test]
    fn vnode_types_follow_freebsds_numbering() {
        for (mode, want) in [
            (libc::S_IFREG, 1),
            (libc::S_IFDIR, 2),
            (libc::S_IFBLK, 3),
            (libc::S_IFCHR, 4),
            (libc::S_IFLNK, 5),
            (libc::S_IFSOCK, 6),
            (libc::S_IFIFO, 7),
            (0, 255),
        ] {
            assert_eq!(vn_type(mode | 0o755), want);
        }
    }

    #[test]
    fn counts_saturate_to_an_int() {
        assert_eq!(pages(8, 4096), 2);
        assert_eq!(pages(6, 4096), 1);
        assert_eq!(pages(u64::MAX, 4096), c_int::MAX);
        assert_eq!(pages(4, 0), 4096);
    }

    #[test]
    fn proc_paths_are_built_on_the_stack() {
        let mut path = ProcPath::new();
        assert_eq!(path.of(0, b"smaps"), c"/proc/0/smaps");
        assert_eq!(path.of(u32::MAX, b"smaps"), c"/proc/4294967295/smaps");
        assert_eq!(path.of(42, b"stat"), c"/proc/42/stat");
    }

    /// The entries a text makes, fed line by line as `read_lines` would.
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
        let pages = |kb: c_int| kb * 1024 / page() as c_int;
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
        let file = &map.as_raw()[0];
        assert_eq!(file.path_bytes(), b"/nonexistent/kinfo vmmap/bin");
        assert_eq!((file.kve_offset, file.kve_vn_fileid), (0x1000, 1234));
        assert_eq!(file.kve_vn_fsid(), libc::makedev(8, 1));
        assert_eq!(file.kve_vn_fsid_freebsd11, libc::makedev(8, 1) as u32);
        assert_eq!(file.kve_status, 0);
        assert_eq!(map.as_raw()[3].path_bytes(), b"[anon:my buffer]");
        assert!(
            map.iter()
                .all(|e| (e.kve_ref_count, e.kve_shadow_count) == (0, 0))
        );
        assert!(map.iter().all(|e| e.kve_structsize == KINFO_VMENTRY_SIZE));
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
    fn malformed_text_names_its_line_and_is_eio() {
        for (resident, text, line) in [
            (Resident::Count, "Rss: 4 kB\n", 1),
            (
                Resident::Count,
                "1000-2000 r--p 00000000 00:00 0 \nRss: four kB\n",
                2,
            ),
            (Resident::Count, "1000-2000 r--p 00000000 00:00 0 \n#\n", 2),
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
            assert_eq!(error.errno(), libc::EIO);
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
        }
    }

    /// The lengths of the lines `read_lines` gives, or `None` when the
    /// last is unterminated.
    fn lines_of(text: &[u8]) -> Option<Vec<usize>> {
        let dir = TempDir::new("lines");
        let path = dir.0.join("text");
        std::fs::write(&path, text).unwrap();
        let mut c_path = path.as_os_str().as_bytes().to_vec();
        c_path.push(0);
        let fd = Fd::open(CStr::from_bytes_with_nul(&c_path).unwrap()).unwrap();
        let mut lengths = Vec::new();
        let complete = read_lines(&fd, |line| {
            lengths.push(line.len());
            Ok(())
        })
        .unwrap();
        complete.then_some(lengths)
    }

    #[test]
    fn lines_longer_than_a_chunk_and_cut_across_chunks_are_whole() {
        let mut text = Vec::new();
        let lengths = [10, CHUNK - 5, 3, 3 * CHUNK + 7, 0, 1];
        for (i, &len) in lengths.iter().enumerate() {
            text.extend(std::iter::repeat_n(b'a' + i as u8, len));
            text.push(b'\n');
        }
        assert_eq!(lines_of(&text).unwrap(), lengths);
        assert_eq!(lines_of(b"").unwrap(), Vec::<usize>::new());
        assert_eq!(lines_of(b"whole\ncut"), None);
    }
}
