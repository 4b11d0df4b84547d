//! Which lists a process's VMAs faster when resident counts are skipped:
//! the text of `/proc/PID/maps`, or the `PROCMAP_QUERY` ioctl of Linux
//! 6.11 and later, one VMA per call?
//!
//! The library reads the text (see `src/sys/linux.rs`); the ioctl reader
//! lives here only, so that the comparison can be rerun on a new kernel:
//!
//! ```text
//! cargo bench --bench linux_text_vs_procmap_query
//! ```
//!
//! A forked child maps 10,000 pages with alternating protections, so that
//! each is a VMA of its own, and waits. Each way of reading its map runs
//! `ROUNDS` times after a warm-up; the median and the fastest round are
//! printed in milliseconds per call, with the raw `read(2)` of `maps` and
//! `smaps` into a buffer (no parsing) as the bounds the library is held to:
//! within 1.25x of the raw `maps` read when counts are skipped, within
//! 1.15x of the raw `smaps` read when they are not.
//!
//! The ioctl reader builds the same entries as the library's text path
//! (type, protection, flags, path, `stat` of the file when it is the one
//! mapped), so that both pay for the same output; the two maps are checked
//! to agree before anything is timed. They differ in one entry: the text
//! shows the gate VMA (`[vsyscall]` on x86_64), which lives outside the
//! process's VMA tree, where the ioctl cannot find it.
//!
//! Figures on Linux 6.18.44 (x86_64 VM, 2 vCPUs), medians in ms per call
//! over three runs:
//!
//! | counts skipped | ms | vs raw `maps` |
//! |---|---|---|
//! | raw `read(2)` of `/proc/PID/maps` | 1.38 | 1.00x |
//! | `maps` text -> entries (the library) | 2.23-2.33 | 1.59-1.69x |
//! | `PROCMAP_QUERY` ioctls alone | 3.02 | 2.2x |
//! | `PROCMAP_QUERY` -> entries | 3.37-3.48 | 2.4-2.5x |
//! | writing 10,030 zeroed entries alone | 0.48-0.54 | 0.34-0.39x |
//!
//! | counts read | ms | vs raw `smaps` |
//! |---|---|---|
//! | raw `read(2)` of `/proc/PID/smaps` | 13.6-13.9 | 1.00x |
//! | `smaps` text -> entries (the library) | 15.9-16.5 | 1.17-1.20x |
//!
//! The text wins by half as much again: one `read(2)` brings a page of
//! text, some 80 VMAs, where the ioctl costs a system call per VMA. Neither
//! goal is quite met, and the first cannot be: the output alone, 1160 bytes
//! per entry (11.6 MB here), costs a third of the raw `maps` read to write,
//! more than the quarter the goal allows; parsing the text adds about as
//! much again (0.3 ms, mostly the three hex columns).

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("PROCMAP_QUERY and /proc/PID/maps are Linux's; nothing to compare here.");
}

#[cfg(target_os = "linux")]
fn main() {
    linux::main();
}

#[cfg(target_os = "linux")]
mod linux {
    use core::ffi::{CStr, c_char, c_int, c_void};
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    use kinfo_vmmap::abi::{
        KF_ATTR_VALID, KINFO_VMENTRY_SIZE, KVME_FLAG_COW, KVME_FLAG_GROWS_DOWN, KVME_PROT_EXEC,
        KVME_PROT_READ, KVME_PROT_WRITE, KVME_TYPE_PHYS, KVME_TYPE_SWAP, KVME_TYPE_VNODE,
        kinfo_vmentry, kinfo_vmentry_type_spec,
    };

    const MAPPINGS: usize = 10_000;
    const WARMUP: usize = 5;
    const ROUNDS: usize = 41;
    /// What the library asks of each `read(2)`.
    const CHUNK: usize = 64 * 1024;
    const SKIP_RESIDENT_COUNT: &str = "KINFO_VMMAP_SKIP_RESIDENT_COUNT";

    /// `struct procmap_query` of `<linux/fs.h>` (Linux 6.11).
    #[repr(C)]
    #[derive(Default)]
    struct ProcmapQuery {
        size: u64,
        query_flags: u64,
        query_addr: u64,
        vma_start: u64,
        vma_end: u64,
        vma_flags: u64,
        vma_page_size: u64,
        vma_offset: u64,
        inode: u64,
        dev_major: u32,
        dev_minor: u32,
        vma_name_size: u32,
        build_id_size: u32,
        vma_name_addr: u64,
        build_id_addr: u64,
    }
    const _: () = assert!(size_of::<ProcmapQuery>() == 104);

    const PROCMAP_QUERY_VMA_READABLE: u64 = 0x01;
    const PROCMAP_QUERY_VMA_WRITABLE: u64 = 0x02;
    const PROCMAP_QUERY_VMA_EXECUTABLE: u64 = 0x04;
    const PROCMAP_QUERY_VMA_SHARED: u64 = 0x08;
    const PROCMAP_QUERY_COVERING_OR_NEXT_VMA: u64 = 0x10;

    /// `_IOWR('f', 17, struct procmap_query)`.
    const PROCMAP_QUERY: u64 =
        (3 << 30) | ((size_of::<ProcmapQuery>() as u64) << 16) | ((b'f' as u64) << 8) | 17;
    const _: () = assert!(PROCMAP_QUERY == 0xc068_6611);

    /// The same kernel pseudo names the library reports as `PHYS`.
    const KERNEL_PSEUDO_NAMES: [&[u8]; 7] = [
        b"[vvar]",
        b"[vvar_vclock]",
        b"[vdso]",
        b"[vsyscall]",
        b"[uprobes]",
        b"[vectors]",
        b"[sigpage]",
    ];

    pub fn main() {
        let child = MappedChild::spawn(MAPPINGS);
        let pid = child.pid;
        let kernel = kernel_release();
        println!(
            "kernel {kernel}; child {pid} with {MAPPINGS} mappings of alternating protections"
        );
        println!("{ROUNDS} rounds after {WARMUP} warm-up rounds; ms per call\n");

        set_skip(true);
        let text = kinfo_vmmap::vmmap(pid).expect("the library's maps path");
        let query = match procmap_query(pid) {
            Ok(entries) => Some(entries),
            Err(errno @ (libc::ENOTTY | libc::EINVAL)) => {
                let error = std::io::Error::from_raw_os_error(errno);
                println!("PROCMAP_QUERY is not supported by this kernel ({error}); text only\n");
                None
            }
            Err(errno) => panic!(
                "PROCMAP_QUERY: {}",
                std::io::Error::from_raw_os_error(errno)
            ),
        };
        assert!(
            text.len() > MAPPINGS,
            "the child's map has {} entries",
            text.len()
        );
        if let Some(query) = &query {
            let compared = assert_same(&text, query);
            println!(
                "PROCMAP_QUERY and the maps text agree on all {compared} entries but [vsyscall]\n"
            );
        }

        let maps_path = proc_path(pid, "maps");
        let smaps_path = proc_path(pid, "smaps");
        let mut buf = vec![0u8; 16 << 20];
        let raw_maps = measure(|| raw_read(&maps_path, &mut buf));
        let text_path = measure(|| kinfo_vmmap::vmmap(pid).map(|m| m.len()).unwrap_or(0));
        let query_path = query
            .is_some()
            .then(|| measure(|| procmap_query(pid).map(|e| e.len()).unwrap_or(0)));
        let raw_query = query
            .is_some()
            .then(|| measure(|| raw_procmap_query(pid).unwrap_or(0)));
        let entries = text.len();
        let output = measure(|| zeroed_entries(entries));
        set_skip(false);
        let raw_smaps = measure(|| raw_read(&smaps_path, &mut buf));
        let smaps_path_time = measure(|| kinfo_vmmap::vmmap(pid).map(|m| m.len()).unwrap_or(0));

        println!(
            "{:<52} {:>9} {:>9} {:>7}",
            "counts skipped", "median", "fastest", "ratio"
        );
        report(
            "raw read(2) of /proc/PID/maps (the bound)",
            raw_maps,
            raw_maps,
        );
        report("maps text -> entries (the library)", text_path, raw_maps);
        if let (Some(query_path), Some(raw_query)) = (query_path, raw_query) {
            report(
                "PROCMAP_QUERY ioctls alone, one per VMA",
                raw_query,
                raw_maps,
            );
            report("PROCMAP_QUERY ioctl -> entries", query_path, raw_maps);
        }
        report(
            "writing the zeroed entries alone (the output)",
            output,
            raw_maps,
        );
        println!(
            "\n{:<52} {:>9} {:>9} {:>7}",
            "counts read", "median", "fastest", "ratio"
        );
        report(
            "raw read(2) of /proc/PID/smaps (the bound)",
            raw_smaps,
            raw_smaps,
        );
        report(
            "smaps text -> entries (the library)",
            smaps_path_time,
            raw_smaps,
        );
        if let Some(query_path) = query_path {
            let winner = if query_path.median < text_path.median {
                "PROCMAP_QUERY"
            } else {
                "the maps text"
            };
            let factor = query_path.median.as_secs_f64() / text_path.median.as_secs_f64();
            println!("\nfaster with counts skipped: {winner} (PROCMAP_QUERY / text = {factor:.2})");
        }
        drop(child);
    }

    #[derive(Clone, Copy)]
    struct Timing {
        median: Duration,
        fastest: Duration,
    }

    fn measure<T>(mut f: impl FnMut() -> T) -> Timing {
        for _ in 0..WARMUP {
            black_box(f());
        }
        let mut times: Vec<Duration> = (0..ROUNDS)
            .map(|_| {
                let start = Instant::now();
                black_box(f());
                start.elapsed()
            })
            .collect();
        times.sort();
        Timing {
            median: times[ROUNDS / 2],
            fastest: times[0],
        }
    }

    fn report(what: &str, t: Timing, bound: Timing) {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let ratio = t.median.as_secs_f64() / bound.median.as_secs_f64();
        println!(
            "{what:<52} {:>9.3} {:>9.3} {ratio:>6.2}x",
            ms(t.median),
            ms(t.fastest)
        );
    }

    fn set_skip(skip: bool) {
        // SAFETY: the benchmark is single-threaded (its child is a separate
        // process), so nothing reads the environment meanwhile.
        unsafe {
            if skip {
                std::env::set_var(SKIP_RESIDENT_COUNT, "1");
            } else {
                std::env::remove_var(SKIP_RESIDENT_COUNT);
            }
        }
    }

    fn kernel_release() -> String {
        // SAFETY: `utsname` is plain bytes, valid zeroed, and `uname`
        // fills it.
        let mut uts: libc::utsname = unsafe { core::mem::zeroed() };
        // SAFETY: `uts` is a live, writable `struct utsname`.
        unsafe { libc::uname(&mut uts) };
        // SAFETY: `uname` NUL-terminates the field.
        let release = unsafe { CStr::from_ptr(uts.release.as_ptr()) };
        release.to_string_lossy().into_owned()
    }

    fn proc_path(pid: i32, leaf: &str) -> Vec<u8> {
        format!("/proc/{pid}/{leaf}\0").into_bytes()
    }

    /// An open file descriptor, closed when dropped.
    struct Fd(c_int);

    impl Fd {
        fn open(path: &[u8]) -> Result<Self, c_int> {
            let path = CStr::from_bytes_with_nul(path).map_err(|_| libc::EINVAL)?;
            // SAFETY: `path` is NUL-terminated.
            let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
            if fd < 0 { Err(errno()) } else { Ok(Self(fd)) }
        }
    }

    impl Drop for Fd {
        fn drop(&mut self) {
            // SAFETY: the descriptor is this guard's, closed once.
            unsafe { libc::close(self.0) };
        }
    }

    fn errno() -> c_int {
        std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO)
    }

    /// Reads the whole file into `buf`, `CHUNK` bytes asked at a time as
    /// the library does, and parses nothing: the cost of the kernel's text.
    fn raw_read(path: &[u8], buf: &mut [u8]) -> usize {
        let fd = Fd::open(path).expect("open");
        let mut filled = 0;
        loop {
            let spare = &mut buf[filled..];
            let ask = spare.len().min(CHUNK);
            assert!(ask > 0, "the text outgrew the benchmark's buffer");
            // SAFETY: `spare` is valid for writes of `ask` bytes.
            let n = unsafe { libc::read(fd.0, spare.as_mut_ptr().cast::<c_void>(), ask) };
            match n {
                0 => return filled,
                n if n > 0 => filled += n as usize,
                _ => panic!("read: {}", std::io::Error::last_os_error()),
            }
        }
    }

    /// A fresh array of `count` zeroed entries, as both readers write one:
    /// 1160 bytes each, the part of the cost no parser can remove.
    fn zeroed_entries(count: usize) -> usize {
        let mut entries: Vec<kinfo_vmentry> = Vec::new();
        for _ in 0..count {
            entries.push(kinfo_vmentry::zeroed());
        }
        black_box(&entries);
        entries.len()
    }

    /// Walks the map of `pid` with `PROCMAP_QUERY` and keeps nothing: the
    /// kernel's side of the ioctl path.
    fn raw_procmap_query(pid: i32) -> Result<usize, c_int> {
        let fd = Fd::open(&proc_path(pid, "maps"))?;
        let mut name = [0u8; 4096];
        let (mut addr, mut count) = (0u64, 0);
        loop {
            let mut q = ProcmapQuery {
                size: size_of::<ProcmapQuery>() as u64,
                query_flags: PROCMAP_QUERY_COVERING_OR_NEXT_VMA,
                query_addr: addr,
                vma_name_size: name.len() as u32,
                vma_name_addr: name.as_mut_ptr() as u64,
                ..ProcmapQuery::default()
            };
            // SAFETY: as in `procmap_query`.
            if unsafe { libc::ioctl(fd.0, PROCMAP_QUERY, &mut q) } < 0 {
                return match errno() {
                    libc::ENOENT => Ok(count),
                    errno => Err(errno),
                };
            }
            addr = q.vma_end;
            count += 1;
        }
    }

    /// The map of `pid` through `PROCMAP_QUERY`, one ioctl per VMA, with
    /// the entries the library's text path makes. Fails with the ioctl's
    /// errno: ENOTTY or EINVAL on kernels before 6.11.
    fn procmap_query(pid: i32) -> Result<Vec<kinfo_vmentry>, c_int> {
        let fd = Fd::open(&proc_path(pid, "maps"))?;
        let mut entries: Vec<kinfo_vmentry> = Vec::new();
        let mut name = [0u8; 4096];
        let mut last_stat: Option<((u64, u64), Option<libc::stat>)> = None;
        let mut addr = 0u64;
        loop {
            let mut q = ProcmapQuery {
                size: size_of::<ProcmapQuery>() as u64,
                query_flags: PROCMAP_QUERY_COVERING_OR_NEXT_VMA,
                query_addr: addr,
                vma_name_size: name.len() as u32,
                vma_name_addr: name.as_mut_ptr() as u64,
                ..ProcmapQuery::default()
            };
            // SAFETY: `q` is a live `struct procmap_query` whose name
            // buffer is `name`, writable for the size given.
            let rc = unsafe { libc::ioctl(fd.0, PROCMAP_QUERY, &mut q) };
            if rc < 0 {
                match errno() {
                    libc::ENOENT => break,
                    errno => return Err(errno),
                }
            }
            addr = q.vma_end;
            // The size includes the NUL; 0 for plain anonymous memory.
            let len = (q.vma_name_size as usize).saturating_sub(1).min(1023);
            let path = &name[..len];

            entries.try_reserve(1).map_err(|_| libc::ENOMEM)?;
            let mut e = kinfo_vmentry::zeroed();
            e.kve_structsize = KINFO_VMENTRY_SIZE;
            e.kve_start = q.vma_start;
            e.kve_end = q.vma_end;
            e.kve_offset = q.vma_offset;
            e.kve_vn_fileid = q.inode;
            let fsid = libc::makedev(q.dev_major, q.dev_minor);
            e.kve_type_spec = kinfo_vmentry_type_spec { _kve_vn_fsid: fsid };
            e.kve_vn_fsid_freebsd11 = fsid as u32;
            for (flag, bit) in [
                (PROCMAP_QUERY_VMA_READABLE, KVME_PROT_READ),
                (PROCMAP_QUERY_VMA_WRITABLE, KVME_PROT_WRITE),
                (PROCMAP_QUERY_VMA_EXECUTABLE, KVME_PROT_EXEC),
            ] {
                if q.vma_flags & flag != 0 {
                    e.kve_protection |= bit;
                }
            }
            if q.vma_flags & PROCMAP_QUERY_VMA_SHARED == 0 {
                e.kve_flags |= KVME_FLAG_COW;
            }
            if path == b"[stack]" {
                e.kve_flags |= KVME_FLAG_GROWS_DOWN;
            }
            for (dst, &src) in e.kve_path.iter_mut().zip(path) {
                *dst = src as c_char;
            }
            e.kve_type = match path.first() {
                None => KVME_TYPE_SWAP,
                Some(b'[') if KERNEL_PSEUDO_NAMES.contains(&path) => KVME_TYPE_PHYS,
                Some(b'[') => KVME_TYPE_SWAP,
                _ => KVME_TYPE_VNODE,
            };
            if path.first() == Some(&b'/') && q.inode != 0 {
                let key = (fsid, q.inode);
                let st = match last_stat {
                    Some((k, st)) if k == key => st,
                    _ => {
                        let st = stat_if_same(&e.kve_path, key);
                        last_stat = Some((key, st));
                        st
                    }
                };
                if let Some(st) = st {
                    e.kve_status = KF_ATTR_VALID;
                    e.kve_vn_size = st.st_size as u64;
                    e.kve_vn_mode = st.st_mode as u16;
                    e.kve_vn_rdev = st.st_rdev;
                }
            }
            entries.push(e);
        }
        Ok(entries)
    }

    fn stat_if_same(path: &[c_char; 1024], (dev, ino): (u64, u64)) -> Option<libc::stat> {
        let mut st = core::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: the path is NUL-terminated (at most 1023 bytes were
        // written into a zeroed array); `st` is writable.
        if unsafe { libc::stat(path.as_ptr(), st.as_mut_ptr()) } != 0 {
            return None;
        }
        // SAFETY: `stat` succeeded and filled `st`.
        let st = unsafe { st.assume_init() };
        (st.st_dev == dev && st.st_ino == ino).then_some(st)
    }

    /// The maps text also shows the gate VMA, `[vsyscall]` on x86_64,
    /// which lives outside the process's VMA tree where `PROCMAP_QUERY`
    /// cannot find it; apart from it, both must be the same.
    fn assert_same(text: &[kinfo_vmentry], query: &[kinfo_vmentry]) -> usize {
        let text: Vec<&kinfo_vmentry> = text
            .iter()
            .filter(|e| e.path_bytes() != b"[vsyscall]")
            .collect();
        assert_eq!(text.len(), query.len());
        for (t, q) in text.into_iter().zip(query) {
            let key = |e: &kinfo_vmentry| {
                (
                    e.kve_start,
                    e.kve_end,
                    e.kve_offset,
                    e.kve_protection,
                    e.kve_flags & (KVME_FLAG_COW | KVME_FLAG_GROWS_DOWN),
                    e.kve_vn_fileid,
                    e.kve_vn_fsid(),
                    e.kve_status,
                    e.path_bytes().to_vec(),
                )
            };
            assert_eq!(key(t), key(q), "{t:?} vs {q:?}");
        }
        query.len()
    }

    /// A forked child that maps `count` pages with alternating protections
    /// so that each is a VMA of its own, dirties every fourth, and waits
    /// to be killed.
    struct MappedChild {
        pid: i32,
    }

    impl MappedChild {
        fn spawn(count: usize) -> Self {
            // SAFETY: `sysconf` has no preconditions.
            let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
            let mut fds = [0; 2];
            // SAFETY: `fds` has room for two descriptors.
            assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
            // SAFETY: the child only makes system calls and never returns.
            let pid = unsafe { libc::fork() };
            assert!(pid >= 0);
            if pid == 0 {
                // SAFETY: raw system calls on memory the child maps itself.
                unsafe {
                    let prot = libc::PROT_READ | libc::PROT_WRITE;
                    let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
                    let base = libc::mmap(core::ptr::null_mut(), count * page, prot, flags, -1, 0);
                    let mut ok = base != libc::MAP_FAILED;
                    for i in (1..count).step_by(2) {
                        let addr = base.cast::<u8>().add(i * page);
                        ok = ok && libc::mprotect(addr.cast(), page, libc::PROT_READ) == 0;
                    }
                    for i in (0..count).step_by(4) {
                        if ok {
                            base.cast::<u8>().add(i * page).write_volatile(1);
                        }
                    }
                    let status = u8::from(ok);
                    libc::write(fds[1], (&raw const status).cast(), 1);
                    loop {
                        libc::pause();
                    }
                }
            }
            let child = Self { pid };
            let mut status = 0u8;
            // SAFETY: the descriptors are ours; `status` has room for a byte.
            unsafe {
                libc::close(fds[1]);
                libc::read(fds[0], (&raw mut status).cast(), 1);
                libc::close(fds[0]);
            }
            assert_eq!(status, 1, "the child could not map its pages");
            child
        }
    }

    impl Drop for MappedChild {
        fn drop(&mut self) {
            // SAFETY: the child is ours to kill and reap.
            unsafe {
                libc::kill(self.pid, libc::SIGKILL);
                libc::waitpid(self.pid, core::ptr::null_mut(), 0);
            }
        }
    }
}
