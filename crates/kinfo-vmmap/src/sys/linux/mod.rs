//! Linux: the map comes from `/proc/PID/smaps`, or from `/proc/PID/maps`
//! when resident counts are skipped.
//!
//! Linux has no `KERN_PROC_VMMAP`; what it has is text. `smaps` gives one
//! record per VMA with its resident counts and `VmFlags`; `maps` gives the
//! same VMAs without them and costs far less for the kernel to write, so it
//! is read for `Resident::Skip` (the C face asks for that when the
//! environment variable `KINFO_VMMAP_SKIP_RESIDENT_COUNT` is set, its
//! stand-in for FreeBSD's sysctl `kern.proc_vmmap_skip_resident_count`).
//! `smaps` is read into a 64 KiB buffer, 3 KiB a read (a page less the
//! longest record, so that the kernel never makes a record twice: see
//! `smaps_ask`), and each buffer parsed as it fills; `maps`, a fifteenth
//! of the array it becomes, is read whole and its lines counted first, so
//! that its array is allocated once at its size. Each VMA is written
//! straight into its slot of the malloc'd array by the
//! system-independent builder (`crate::procfs`, which documents how each
//! field is filled); this backend gives it `stat(2)` (`stat.rs`), which
//! confirms a file is the one mapped and lends its attributes, and
//! `madvise(MADV_POPULATE_WRITE)` (`populate_write`), with which an array
//! of 32 MiB or more, fresh from the kernel, has its pages made 2 MiB
//! ahead of its writes rather than faulted in one at a time.
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
//! | what is mapped | `kve_type` | `kve_path` |
//! |---|---|---|
//! | a file | `VNODE` (with `KF_ATTR_VALID` when `stat` confirms it) | its path |
//! | a file since deleted (`/tmp/x (deleted)`, memfd) | `VNODE`, no `KF_ATTR_VALID` | empty, as FreeBSD's failed path lookup of an unlinked vnode leaves it |
//! | a character or block device (by `stat`) | `DEVICE` | its path |
//! | POSIX shared memory (`/dev/shm/name`) | `SWAP` with `KVME_FLAG_POSIXSHM` | `/name`, the `shm_open` name, as FreeBSD gives it; empty once unlinked |
//! | SysV shared memory (`/SYSV%08x (deleted)`) | `SWAP` with `KVME_FLAG_SYSVSHM` | empty |
//! | anonymous memory: no name, `[heap]`, `[stack]`, `[anon:...]`, shared anonymous memory (`/dev/zero (deleted)`, `/anon_hugepage (deleted)`), a private mapping of `/dev/zero` | `SWAP` | empty |
//! | kernel pseudo mappings: `[vvar]`, `[vvar_vclock]`, `[vdso]`, `[vsyscall]`, `[uprobes]`, and ARM's `[vectors]`, `[sigpage]` | `PHYS`, as FreeBSD's shared page is an `OBJT_PHYS` object (`ph` in procstat) | empty |
//!
//! Decisions:
//! - `kve_path` holds a path only for files and devices, as on FreeBSD,
//!   where code such as allocator profilers takes an entry with a path
//!   for a loaded object. Whenever it differs from the name in the text,
//!   that name is kept beside the array (`VmMap::linux_name`), for the
//!   Rust API; C never sees it.
//! - A deleted file is still a vnode: its device and inode are filled, but
//!   `stat` cannot confirm it, so it has no `KF_ATTR_VALID`, and its path
//!   is empty so that no tool mistakes a new file at the old path for the
//!   one mapped. A file whose name really ends in ` (deleted)` is told
//!   apart by `stat`.
//! - The kernel writes a newline in a path as `\012` and leaves a literal
//!   backslash alone, so a name that really holds `\012` prints the same.
//!   The decoded name is used unless only the literal one `stat`s to the
//!   mapped file.
//! - `stat` runs in the caller's mount namespace, on a path the kernel
//!   printed in the target's; the device and inode check keeps a different
//!   file at that path (or none) from lending its attributes. Consecutive
//!   mappings of one file are `stat`ed once.
//! - When the maps are empty, `/proc/PID/stat` says why: a kernel thread
//!   (no address space) gets an empty map, anything else (a zombie, a
//!   process exiting) is ESRCH, as on FreeBSD.
//! - A private mapping of `/dev/zero` and POSIX shared memory are swap
//!   objects on FreeBSD, not vnodes, so they carry no vnode attributes.

mod stat;

use alloc::vec::Vec;
use core::ffi::{CStr, c_int};

use crate::error::Error;
use crate::procfs::{Builder, count_newlines, host_page_size, parse_stat};
use crate::sys::Resident;
use crate::vmmap::VmMap;

use stat::StatCache;

/// The size of the buffer `smaps` is read into, and so how much of it is
/// parsed at a time (the buffer grows only for a line longer than it).
/// `seq_file` hands back at most its own buffer's worth (a page, or one
/// record if larger) per `read(2)` whatever is asked (measured on 6.18:
/// 3.9 to 4.1 KB of `smaps` or `maps` a call), and `smaps` asks for less
/// (`smaps_ask`), so a buffer takes some 22 reads to fill. A 256 KiB
/// buffer measured no faster, and slower for small maps: glibc maps a
/// block that large afresh on every call.
const CHUNK: usize = 64 * 1024;

/// The longest `smaps` record a read makes room for, in bytes: a record
/// of an anonymous mapping is about 690 bytes on Linux 6.18, one of a file
/// that much and its path.
const SMAPS_RECORD: usize = 1024;

/// What each `read(2)` of `smaps` asks for: a page less `SMAPS_RECORD`,
/// 3 KiB with 4 KiB pages.
///
/// `seq_file` prints whole records into a buffer of a page, until the
/// buffer holds what the read asked for or the next record does not fit.
/// That record is then printed for nothing, thrown away and printed again
/// by the next read. Asked for a page or more, every read ends that way:
/// with `smaps` records of about 700 bytes, one in six is made twice, its
/// walk of the page tables included. Asked for a page less the longest
/// record, the buffer holds what was asked before any record can overflow
/// it, so each record is made once. The same text then takes 6 to 8% less
/// time to read at 100 and at 1,000 mappings, in 20 to 24% more reads
/// (Linux 6.18). A longer record still overflows now and then, no worse
/// than before. `maps` lines, some 70 bytes, waste one in 50 that way;
/// asking less measured no faster there, so `maps` asks for all its room.
pub(crate) fn smaps_ask() -> usize {
    let page = usize::try_from(host_page_size()).unwrap_or(4096);
    page.saturating_sub(SMAPS_RECORD).max(SMAPS_RECORD)
}

/// The first size of the buffer the whole `maps` text is read into.
///
/// The text, some 70 bytes a line, is a fifteenth of the array it
/// becomes, and the two are on the heap together, so the buffer is what
/// a call's heap holds beyond its result. It starts small so that it
/// holds little. A caller that frees the array and calls again leaves
/// glibc's heap top as large as both together. glibc gives that top
/// back to the kernel when it is over its trim threshold, which it sets
/// at twice the largest block it has mapped and unmapped: for a caller
/// of this call, about twice an array. The next call then faults its
/// pages back in. A 64 KiB first buffer put the top over that threshold
/// on every call at 100 mappings (135 entries, a 157 KB array); page
/// faults were then 31% of the call in a loop.
const MAPS_FIRST: usize = 16 * 1024;

/// The least room the `maps` buffer keeps for a read, which it doubles to
/// keep: `seq_file` hands back about a page a call.
const MAPS_READ: usize = 4 * 1024;

/// `PF_EXITING` and `PF_KTHREAD` of `include/linux/sched.h`, in the flags
/// field of `/proc/PID/stat`.
const PF_EXITING: u64 = 0x0000_0004;
const PF_KTHREAD: u64 = 0x0020_0000;

/// The map of process `pid`, from `smaps` with resident counts or from
/// `maps` without.
pub(crate) fn vmmap(pid: i32, resident: Resident) -> Result<VmMap, Error> {
    let pid = u32::try_from(pid).map_err(|_| Error::NoSuchProcess)?;
    let mut path = ProcPath::new();
    let leaf: &[u8] = match resident {
        Resident::Count => b"smaps",
        Resident::Skip => b"maps",
    };
    let fd = Fd::open(path.of(pid, leaf))?;
    let page_size = host_page_size();
    let map = match resident {
        // The whole `maps` text is a fraction of the array it becomes (70
        // bytes a line against 1160), so it is read first and its lines
        // counted: the array is then allocated once at its final size,
        // with no growth to copy. It is `malloc`ed, not `calloc`ed: each
        // slot is zeroed as its entry is written, which writes the array
        // once, where `calloc` of reused heap wrote it all before the
        // entries were written over it (1.11-1.14x the floor at 10,000
        // mappings against 1.15-1.17x).
        Resident::Skip => {
            let text = read_all(&fd)?;
            drop(fd);
            let lines = count_newlines(&text);
            let stat = StatCache::default();
            let mut builder = Builder::with_capacity(resident, page_size, stat, lines)?;
            builder.populate_with(populate_write);
            let complete = builder.lines(&text)?;
            builder.finish(text.get(complete..).unwrap_or_default())?
        }
        // `smaps` is ten times longer, as long as the array itself: it is
        // parsed a buffer at a time as it arrives, and the array grows.
        Resident::Count => {
            let mut builder = Builder::new(resident, page_size, StatCache::default())?;
            builder.populate_with(populate_write);
            let rest = read_lines(&fd, |text| builder.lines(text))?;
            drop(fd);
            builder.finish(&rest)?
        }
    };
    if map.is_empty() {
        why_no_map(pid)?;
    }
    Ok(map)
}

/// The array's `Populate` on Linux: `madvise(MADV_POPULATE_WRITE)`, which
/// makes the pages of a range present and writable in one call, where
/// writing them would fault once a page. The map asks it only of arrays
/// fresh from the kernel (32 MiB or more), ahead of their writes. Linux
/// before 5.14 refuses it (EINVAL), which changes nothing: the pages then
/// fault as they are written.
///
/// # Safety
/// `(start, len)` lies inside a live allocation of the caller's.
unsafe fn populate_write(start: *mut u8, len: usize) {
    // SAFETY: the range is the caller's memory; populating it writes
    // nothing the program can see, and a failure is ignored.
    unsafe { libc::madvise(start.cast(), len, libc::MADV_POPULATE_WRITE) };
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

/// Feeds `lines` the file a buffer at a time: the buffer is filled by as
/// many reads as it takes (`seq_file` gives a page or so a read), then
/// `lines` takes its complete lines and says how long they are, and the
/// part of a line the buffer cuts off waits at its front for the rest.
/// What follows the last `\n` of the file is returned: nothing, since the
/// kernel ends every line with one, unless the text is malformed.
///
/// Parsing after each read instead took about twice the parsing of the
/// same text saved (`getrusage`, 10,000 mappings): each read, with the
/// kernel's walk of the map behind it, leaves the parser's caches and
/// branch predictors cold, and it paid for that on every page of text.
fn read_lines(
    fd: &Fd,
    mut lines: impl FnMut(&[u8]) -> Result<usize, Error>,
) -> Result<Vec<u8>, Error> {
    let ask = smaps_ask();
    let mut buf: Vec<u8> = Vec::new();
    buf.try_reserve_exact(CHUNK)
        .map_err(|_| Error::OutOfMemory)?;
    loop {
        if buf.len() == buf.capacity() {
            // One line longer than the buffer: make room for the rest.
            buf.try_reserve(buf.len()).map_err(|_| Error::OutOfMemory)?;
        }
        let mut end = false;
        while buf.len() < buf.capacity() {
            if fd.read_more(&mut buf, ask)? == 0 {
                end = true;
                break;
            }
        }
        let complete = lines(&buf)?;
        buf.drain(..complete);
        if end {
            return Ok(buf);
        }
    }
}

/// Whether the `maps` buffer must double before its next read: less than
/// `MAPS_READ` of its `capacity` is left beyond `len`.
fn maps_buffer_full(capacity: usize, len: usize) -> bool {
    capacity - len < MAPS_READ
}

/// The size of the buffer a call reads text of `len` bytes into: `CHUNK`
/// for `smaps`; for `maps`, where `read_all` leaves it. For the memory
/// bench, which sets it beside the peak heap.
#[cfg(feature = "internals")]
pub(crate) fn read_buffer(resident: Resident, len: usize) -> usize {
    match resident {
        Resident::Count => CHUNK,
        Resident::Skip => {
            let mut capacity = MAPS_FIRST;
            while maps_buffer_full(capacity, len.min(capacity)) {
                capacity *= 2;
            }
            capacity
        }
    }
}

/// The whole file, read into a buffer that starts at `MAPS_FIRST` bytes
/// and doubles whenever less than a read's worth is left.
fn read_all(fd: &Fd) -> Result<Vec<u8>, Error> {
    let mut text: Vec<u8> = Vec::new();
    text.try_reserve_exact(MAPS_FIRST)
        .map_err(|_| Error::OutOfMemory)?;
    loop {
        if maps_buffer_full(text.capacity(), text.len()) {
            text.try_reserve(text.capacity())
                .map_err(|_| Error::OutOfMemory)?;
        }
        if fd.read_more(&mut text, usize::MAX)? == 0 {
            return Ok(text);
        }
    }
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
        // A `match`, not `expect`: the error's Debug would bring core's
        // formatting machinery into the C library.
        match CStr::from_bytes_until_nul(&self.0) {
            Ok(path) => path,
            Err(_) => unreachable!("the path ends in the NUL written last"),
        }
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

    /// Reads at most `most` bytes into the spare capacity of `buf` and
    /// appends what was read; 0 at the end of the file. The spare bytes
    /// are never zeroed first: that was a 64 KiB `memset` per call.
    fn read_more(&self, buf: &mut Vec<u8>, most: usize) -> Result<usize, Error> {
        let spare = buf.spare_capacity_mut();
        let (at, room) = (spare.as_mut_ptr(), spare.len().min(most));
        loop {
            // SAFETY: `at` is valid for writes of `room` bytes (the spare
            // capacity of `buf`), and the descriptor is open for as long as
            // `self` lives.
            let n = unsafe { libc::read(self.0, at.cast(), room) };
            if let Ok(n) = usize::try_from(n) {
                let n = n.min(room);
                // SAFETY: the kernel wrote the first `n` spare bytes, so
                // they are initialised, and `n` is within the capacity.
                unsafe { buf.set_len(buf.len() + n) };
                return Ok(n);
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::__internals::mapped_child::MappedChild;
    use crate::abi::{
        KF_ATTR_VALID, KINFO_VMENTRY_SIZE, KVME_FLAG_COW, KVME_FLAG_GROWS_DOWN,
        KVME_FLAG_NOCOREDUMP, KVME_FLAG_POSIXSHM, KVME_FLAG_SUPER, KVME_FLAG_SYSVSHM,
        KVME_FLAG_USER_WIRED, KVME_MAX_PROT_EXEC, KVME_MAX_PROT_READ, KVME_MAX_PROT_WRITE,
        KVME_PROT_EXEC, KVME_PROT_READ, KVME_PROT_WRITE, KVME_TYPE_PHYS, KVME_TYPE_SWAP,
        KVME_TYPE_VNODE, kinfo_vmentry,
    };
    use core::ffi::c_void;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    use std::path::{Path, PathBuf};

    const KF_VTYPE_VREG: c_int = 1;

    fn page() -> usize {
        host_page_size() as usize
    }

    fn page_size() -> u64 {
        host_page_size()
    }

    /// The name the text gave entry `index`: Linux's, where `kve_path`
    /// shows FreeBSD's.
    fn linux_name(map: &VmMap, index: usize) -> &[u8] {
        map.linux_name(index)
            .unwrap_or(map[index].as_raw().path_bytes())
    }

    /// The index of the entry that starts at `start`.
    fn index_at(map: &VmMap, start: u64) -> usize {
        map.iter().position(|e| e.kve_start == start).unwrap()
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

    /// Whether the page at `addr` is resident.
    fn resident(addr: *mut u8) -> bool {
        let mut state = 0u8;
        // SAFETY: the page is mapped (the caller's `Mapping` holds it), and
        // `state` has room for its one byte.
        let rc = unsafe { libc::mincore(addr.cast(), page(), &mut state) };
        assert_eq!(rc, 0, "{}", std::io::Error::last_os_error());
        state & 1 == 1
    }

    #[test]
    fn populate_write_makes_the_pages_asked_for_present_and_no_others() {
        // Fresh from the kernel: no page of it is there before it is used.
        let pages = (8 << 20) / page();
        let asked = pages / 2;
        // 2 MiB past the range, beyond any huge page that might hold its end.
        let beyond = asked + (2 << 20) / page();
        let block = Mapping::anonymous(pages);
        assert!(
            !resident(block.page_addr((1 << 20) / page())) && !resident(block.page_addr(beyond))
        );
        // SAFETY: the first half of the mapping, which this test owns.
        unsafe { populate_write(block.page_addr(0), asked * page()) };
        assert!(resident(block.page_addr(0)) && resident(block.page_addr(asked - 1)));
        assert!(!resident(block.page_addr(beyond)));
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
        let map = vmmap(own_pid(), Resident::Count).unwrap();
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
        let map = vmmap(own_pid(), Resident::Skip).unwrap();
        let after = reference_maps(own_pid());
        let mut compared = 0;
        for want in before.iter().filter(|r| after.contains(r)) {
            let got = map.iter().find(|e| e.kve_start == want.0).unwrap();
            assert_eq!((got.kve_end, got.kve_protection), (want.1, rwx(&want.2)));
            compared += 1;
        }
        assert!(compared > before.len() / 2);
        for (i, entry) in map.iter().enumerate() {
            assert_eq!((entry.kve_resident, entry.kve_private_resident), (0, 0));
            let unknown = KVME_FLAG_USER_WIRED | KVME_FLAG_NOCOREDUMP | KVME_FLAG_SUPER;
            assert_eq!(entry.kve_flags & unknown, 0);
            let grows_down = linux_name(&map, i) == b"[stack]";
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
        let map = vmmap(child.pid, Resident::Count).unwrap();
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

        let skipped = vmmap(child.pid, Resident::Skip).unwrap();
        assert_eq!(skipped.len(), map.len());
        for (got, full) in skipped.iter().zip(map.iter()) {
            assert_eq!((got.kve_start, got.kve_end), (full.kve_start, full.kve_end));
            assert_eq!(got.kve_protection, full.kve_protection & 7);
            assert_eq!((got.kve_resident, got.kve_type), (0, full.kve_type));
            assert_eq!(got.path_bytes(), full.path_bytes());
            assert_eq!(got.kve_status, full.kve_status);
        }
    }

    /// What each `read(2)` of `pid`'s `smaps` returned, asked for `ask`
    /// bytes at a time, and the text they read.
    fn smaps_reads(pid: i32, ask: usize) -> (Vec<usize>, Vec<u8>) {
        let mut path = ProcPath::new();
        let fd = Fd::open(path.of(pid as u32, b"smaps")).unwrap();
        let mut buf = Vec::with_capacity(1 << 20);
        let mut reads = Vec::new();
        loop {
            match fd.read_more(&mut buf, ask).unwrap() {
                0 => return (reads, buf),
                n => reads.push(n),
            }
            if buf.spare_capacity_mut().len() < ask {
                buf.reserve(buf.capacity());
            }
        }
    }

    #[test]
    fn smaps_reads_end_where_asked_so_that_no_record_is_made_twice() {
        // 135 records of 690 to 800 bytes, as in the benches.
        let child = MappedChild::spawn(100);
        // Asked for a page, a read ends short, where the next record
        // would not have fitted the kernel's page: that record was made
        // and thrown away, and the next read makes it again.
        let (whole_pages, text) = smaps_reads(child.pid, page());
        let short = whole_pages[..whole_pages.len() - 1]
            .iter()
            .filter(|&&n| n < page())
            .count();
        assert!(short * 2 > whole_pages.len(), "{whole_pages:?}");
        // Each record, up to its `VmFlags` line, fits the room the ask
        // leaves in the kernel's page.
        let longest = text
            .split_inclusive(|&b| b == b'\n')
            .scan(0, |len, line| {
                *len += line.len();
                let record = *len;
                if line.starts_with(b"VmFlags:") {
                    *len = 0;
                }
                Some(record)
            })
            .max()
            .unwrap();
        assert!(longest <= SMAPS_RECORD, "a record of {longest} bytes");
        // Asked for what the library asks, every read but the last gets
        // all it asked for: the kernel stopped because the read was
        // full, before any record could overflow its page.
        let ask = smaps_ask();
        assert!(ask < page());
        let (asked, _) = smaps_reads(child.pid, ask);
        let (last, full) = asked.split_last().unwrap();
        assert!(full.iter().all(|&n| n == ask), "{asked:?}");
        assert!(*last <= ask);
        assert_eq!(
            asked.iter().sum::<usize>(),
            whole_pages.iter().sum::<usize>()
        );
    }

    #[test]
    fn a_file_with_spaces_in_its_path() {
        let dir = TempDir::new("spaces");
        let path = dir.0.join(" a file  with spaces ");
        std::fs::write(&path, vec![7u8; 3 * page() + 100]).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        let mapping = map_file(&path, 2 * page(), page());
        for resident in [Resident::Count, Resident::Skip] {
            let map = vmmap(own_pid(), resident).unwrap();
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
        let map = vmmap(own_pid(), Resident::Count).unwrap();
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
    fn a_deleted_file_is_a_vnode_with_no_path() {
        let dir = TempDir::new("deleted");
        let path = dir.0.join("gone");
        std::fs::write(&path, vec![7u8; page()]).unwrap();
        let mapping = map_file(&path, page(), 0);
        std::fs::remove_file(&path).unwrap();
        // A new file at the old path must not lend its attributes.
        std::fs::write(&path, b"impostor").unwrap();
        let map = vmmap(own_pid(), Resident::Count).unwrap();
        let entry = mapping.entry(&map);
        let mut want = path.as_os_str().as_bytes().to_vec();
        want.extend_from_slice(b" (deleted)");
        assert_eq!(entry.path_bytes(), b"");
        assert_eq!(
            map.linux_name(index_at(&map, mapping.start())),
            Some(&want[..])
        );
        assert_eq!((entry.kve_type, entry.kve_status), (KVME_TYPE_VNODE, 0));
        assert_eq!(entry.kve_vn_size, 0);
        assert_ne!(entry.kve_vn_fileid, 0);
    }

    #[test]
    fn the_kernels_own_mappings_are_phys_and_the_stack_grows_down() {
        for resident in [Resident::Count, Resident::Skip] {
            let map = vmmap(own_pid(), resident).unwrap();
            let named = |name: &[u8]| {
                let index = (0..map.len()).find(|&i| linux_name(&map, i) == name)?;
                Some(&map[index])
            };
            let vdso = named(b"[vdso]").expect("a vDSO");
            assert_eq!(
                (vdso.kve_type, vdso.as_raw().path_bytes()),
                (KVME_TYPE_PHYS, &b""[..])
            );
            let stack = named(b"[stack]").expect("a stack");
            assert_eq!(
                (stack.kve_type, stack.as_raw().path_bytes()),
                (KVME_TYPE_SWAP, &b""[..])
            );
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

        let map = vmmap(own_pid(), Resident::Count).unwrap();
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

        let map = vmmap(own_pid(), Resident::Skip).unwrap();
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
        let map = vmmap(own_pid(), Resident::Count).unwrap();
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
        let skipped = vmmap(own_pid(), Resident::Skip).unwrap();
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

        let map = vmmap(own_pid(), Resident::Count).unwrap();
        let index = index_at(&map, sysv as u64);
        let entry = &map[index];
        // IPC_PRIVATE is key 0.
        let name = map.linux_name(index);
        assert_eq!(name, Some(&b"/SYSV00000000 (deleted)"[..]), "id {shmid}");
        assert_eq!(entry.as_raw().path_bytes(), b"");
        assert_eq!(
            (entry.kve_type, entry.kve_flags),
            (KVME_TYPE_SWAP, KVME_FLAG_SYSVSHM)
        );
        // FreeBSD's view: a swap object named by its shm_open name.
        let entry = posix.entry(&map);
        let shm_name = posix_path.strip_prefix("/dev/shm").unwrap();
        assert_eq!(entry.path_bytes(), shm_name.as_bytes());
        let name = map.linux_name(index_at(&map, posix.start()));
        assert_eq!(name, Some(posix_path.as_bytes()));
        assert_eq!(
            (entry.kve_type, entry.kve_flags),
            (KVME_TYPE_SWAP, KVME_FLAG_POSIXSHM)
        );
        assert_eq!(entry.kve_status, 0);
        let entry = anon.entry(&map);
        assert_eq!(entry.path_bytes(), b"");
        let name = map.linux_name(index_at(&map, anon.start()));
        assert_eq!(name, Some(&b"/dev/zero (deleted)"[..]));
        assert_eq!((entry.kve_type, entry.kve_flags), (KVME_TYPE_SWAP, 0));
        // Anonymous memory that borrowed the device's name: no vnode.
        let entry = zero.entry(&map);
        assert_eq!(entry.path_bytes(), b"");
        let name = map.linux_name(index_at(&map, zero.start()));
        assert_eq!(name, Some(&b"/dev/zero"[..]));
        assert_eq!(
            (entry.kve_type, entry.kve_flags),
            (KVME_TYPE_SWAP, KVME_FLAG_COW)
        );
        assert_eq!((entry.kve_status, entry.kve_vn_type), (0, 0));

        // SAFETY: the segment was attached above.
        unsafe { libc::shmdt(sysv) };
        std::fs::remove_file(&posix_path).unwrap();
    }

    #[test]
    fn a_negative_or_missing_pid_is_esrch() {
        for pid in [-1, i32::MIN, 0] {
            assert_eq!(
                vmmap(pid, Resident::Count).unwrap_err(),
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
            assert_eq!(vmmap(reaped, resident).unwrap_err(), Error::NoSuchProcess);
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
            assert_eq!(vmmap(pid, resident).unwrap_err(), Error::NoSuchProcess);
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
            assert!(vmmap(2, resident).unwrap().is_empty());
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
            match (vmmap(1, Resident::Count), vmmap(1, Resident::Skip)) {
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
        assert!(map.iter().any(|e| e.kve_type == KVME_TYPE_PHYS));
        // FreeBSD's rule: only files have a path, so no `[pseudo]` names.
        assert!(map.iter().all(|e| e.path_bytes().first() != Some(&b'[')));
        // SAFETY: the array came from malloc.
        unsafe { libc::free(entries.cast()) };
        // SAFETY: as above.
        let none = unsafe { crate::capi::kinfo_getvmmap(-5, &mut count) };
        assert!(none.is_null());
        assert_eq!((count, errno()), (0, libc::ESRCH));
    }

    #[test]
    fn proc_paths_are_built_on_the_stack() {
        let mut path = ProcPath::new();
        assert_eq!(path.of(0, b"smaps"), c"/proc/0/smaps");
        assert_eq!(path.of(u32::MAX, b"smaps"), c"/proc/4294967295/smaps");
        assert_eq!(path.of(42, b"stat"), c"/proc/42/stat");
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
        let rest = read_lines(&fd, |text| {
            let mut lines = crate::procfs::Lines::new(text);
            lengths.extend(lines.by_ref().map(<[u8]>::len));
            Ok(text.len() - lines.rest().len())
        })
        .unwrap();
        rest.is_empty().then_some(lengths)
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
