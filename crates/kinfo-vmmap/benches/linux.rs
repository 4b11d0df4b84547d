//! Reading a process's map on Linux against "the bound", the least any
//! implementation can do, at 100, 1,000, 10,000 and 60,000 mappings:
//!
//! ```text
//! cargo bench --bench linux -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! For each size a forked child maps that many pages with alternating
//! protections, so that each is a VMA of its own (about 30 more with its
//! binary and libraries), dirties every fourth, and waits. Criterion times
//! each way of reading its map; the summary at the end gives each median's
//! ratio to the bound measured beside it in the same run.
//!
//! The bound (`bound`) is the raw `read(2)` of the text, asked for as the
//! library asks (3 KiB a read of `smaps`, 64 KiB of `maps`), plus the
//! output: `malloc(cnt × 1160)` and each record's 136-byte fixed part
//! written, which touches every page. Parsing nothing, it is what the
//! kernel's text and the C array cost by themselves. `seq_file` prints
//! records into a page and, asked for a page or more, prints the record
//! that overflows it for nothing, then again for the next read; the
//! library's 3 KiB asks of `smaps` stop each read before that happens (see
//! `smaps_ask` in `src/sys/linux/mod.rs`). So the same bound with 64 KiB
//! asks (`bound_plain_read`), as a plain reader makes them, costs more;
//! the rounds time it too, and give the library against it.
//!
//! The goals: with resident counts (`smaps`, group `linux_smaps_N`) the
//! library within 1.05× the bound; counts skipped (`maps`, group
//! `linux_maps_N`) within 1.15×.
//!
//! The floor (`floor`) is the bound with the array `calloc`ed: zeroed, as
//! FreeBSD's is and the library's must be (every byte of `kve_path` past
//! its NUL is 0), which the bound's `malloc` leaves undone. Its distance
//! from the bound is the cost of zeroing; the library's distance from it
//! is the cost of parsing.
//!
//! The floor does not `stat(2)` the files mapped, which the library must
//! to fill FreeBSD's vnode fields (size, mode, `KF_ATTR_VALID`): once for
//! each run of mappings of one file. Each round also times those `stat`
//! calls alone, of the files the `maps` text names, right after a raw
//! read of the text (not timed): the library makes them after the
//! kernel's walk, which leaves them dearer than back to back (at 100
//! mappings about 3 µs a file against 2). The summary gives the library
//! against the floor and them together. Its last table turns
//! that into time per entry: the room a goal leaves for parsing (the goal
//! times the bound, less the floor and the `stat` calls, which every
//! faithful reader pays), beside the time the library takes there. Where
//! the room is negative, the goal is out of reach of any reader that
//! zeroes its array and fills the vnode fields. After the rounds, the
//! library parses the same text saved at the start (`parse_smaps`,
//! `parse_maps`) as many times, its array included and no `stat`: first
//! in a loop, with no kernel walk before it to leave its caches cold;
//! then each parse right after a raw read of the text (not timed), as
//! cold as the walk leaves it in the call. Where the array fits in the
//! caches (100 mappings), the first is near what the parse costs at best
//! and the second what it costs in the call, to set beside the room and
//! the time taken; past them, both pay for their array as the floor
//! does, and are no longer comparable. Each round also finds every line
//! end of the text right after a raw read of it, and does nothing else
//! (memchr's SIMD count of `\n`): the least a reader that looks at every
//! line can spend on the text, and so how much of the room any parser
//! has.
//!
//! The least reader (`least_read`, `least` in each group) settles where a
//! correct call's floor is: it reads as the library reads, into an array
//! that grows as the library's does (`smaps`, whose number of records no
//! reader knows until its end) or is allocated at the number of lines
//! (`maps`, read whole), with the library's prefetch and `madvise`, and
//! writes each entry whole from its map line and, for
//! `smaps`, the `Rss`, `Private_Clean`, `Private_Dirty` and `VmFlags` of
//! its record, found where the first record had them. It checks nothing
//! but that each record's `VmFlags` line is where the layout puts it, and
//! classifies and `stat`s nothing. Before the rounds its entries are
//! checked against the library's. Each round times it after the library;
//! with the `stat` calls added, a goal it misses is out of reach of any
//! correct call, and the library's distance from it is what its checks,
//! classification and exactness cost.
//!
//! Criterion measures each function on its own, one after the other, and
//! on a shared machine the load drifts between them. So the ratios of the
//! summary come from rounds instead: each round times the bound, the floor
//! and the library once each, in turn, and a ratio is the median of the
//! rounds' ratios, with the quartiles beside it.
//!
//! Profile one function with criterion's `--profile-time`, which skips the
//! rounds:
//!
//! ```text
//! perf record -g cargo bench --bench linux -- --profile-time 12 'linux_smaps_10000/kinfo_vmmap$'
//! ```
//!
//! or, from the repository's root, `bash scripts/profile-linux.sh FILTER`,
//! which builds the bench with frame pointers so that perf can tell the
//! function's samples from the rest, and puts each in one account: the
//! kernel's text, `stat`, page faults, the library's code by function.
//!
//! At 10,000 mappings, peers too: the `procfs` crate's `Process::smaps()`;
//! the `PROCMAP_QUERY` ioctl of Linux 6.11 and later, one VMA per call,
//! building the same entries as the library, and the ioctls alone,
//! building nothing; the raw read alone; and writing the zeroed output
//! alone. The library reads the text, not the ioctl, because the text is
//! faster (see `src/sys/linux/mod.rs`); this is where that is measured.
//! Before anything is timed the ioctl's entries are checked against the
//! library's: they differ only in the gate VMA (`[vsyscall]` on x86_64),
//! which lives outside the process's VMA tree, where the ioctl cannot find
//! it.
//!
//! psutil's `memory_maps(grouped=False)` on the same kind of child is
//! measured by `benches/psutil_memory_maps.py`, where Python is at hand;
//! every process on the machine, by `benches/system.rs`.

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("/proc and PROCMAP_QUERY are Linux's; nothing to measure here.");
}

#[cfg(target_os = "linux")]
mod common;

#[cfg(target_os = "linux")]
fn main() {
    linux::main();
}

#[cfg(target_os = "linux")]
mod linux {
    use core::ffi::{CStr, c_char, c_int, c_void};
    use std::hint::black_box;

    use kinfo_vmmap::abi::{
        KF_ATTR_VALID, KINFO_VMENTRY_SIZE, KVE_HEADER_SIZE, KVME_FLAG_COW, KVME_FLAG_GROWS_DOWN,
        KVME_FLAG_NOCOREDUMP, KVME_FLAG_USER_WIRED, KVME_MAX_PROT_EXEC, KVME_MAX_PROT_READ,
        KVME_MAX_PROT_WRITE, KVME_PROT_EXEC, KVME_PROT_READ, KVME_PROT_WRITE, KVME_TYPE_PHYS,
        KVME_TYPE_SWAP, KVME_TYPE_VNODE, kinfo_vmentry, kinfo_vmentry_type_spec,
    };

    use crate::common;
    use kinfo_vmmap::__internals::array;
    use kinfo_vmmap::__internals::mapped_child::MappedChild;

    /// What a plain reader asks of each `read(2)`, and what the library
    /// asks of `maps` (all the room in its buffer, at least a page).
    const CHUNK: usize = 64 * 1024;

    /// What the library asks of each `read(2)` of the text, `smaps` with
    /// resident counts or `maps` without.
    fn library_ask(resident: bool) -> usize {
        if resident {
            kinfo_vmmap::__internals::smaps_ask()
        } else {
            CHUNK
        }
    }
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

    /// The sizes measured, in mappings of the child's own.
    const SIZES: [usize; 4] = [100, 1_000, 10_000, 60_000];
    /// The size at which the peers are measured too.
    const PEERS_AT: usize = 10_000;

    pub fn main() {
        println!("{}", common::machine());
        let mut c = common::criterion();
        // Under a profiler (`--profile-time`), only the function profiled.
        let profiling = std::env::args().any(|a| a == "--profile-time");
        let mut measured = Vec::new();
        let mut rounds = Vec::new();
        for mappings in SIZES {
            let child = MappedChild::spawn(mappings);
            let pid = child.pid;
            let entries = bench_size(&mut c, pid, mappings);
            println!("child {pid} with {mappings} mappings: {entries} entries");
            measured.push((mappings, entries));
            for resident in [true, false].into_iter().filter(|_| !profiling) {
                rounds.push((mappings, entries, Rounds::run(pid, entries, resident)));
            }
            drop(child);
        }
        c.final_summary();
        summary(&measured);
        rounds_summary(&rounds);
    }

    /// The bound, the floor and the library timed in turn, round after
    /// round, in one mode; and, beside the floor, the `stat(2)` calls the
    /// library makes of the files mapped.
    struct Rounds {
        resident: bool,
        times: Vec<Round>,
        /// How many files the library `stat`s a call.
        files: usize,
        /// Page faults a call, on average: bound, floor, library.
        faults: [f64; 3],
        /// Seconds the library takes to parse the same text saved at the
        /// start (`parse_smaps` or `parse_maps`), in a loop of its own
        /// after the rounds, one per round: no kernel walk before it, and
        /// no `stat`.
        parses: Vec<f64>,
        /// The same, each parse right after a raw read of the text, which
        /// is not timed: the parse as cold as the kernel's walk leaves it
        /// in the call, still with no `stat`.
        parses_after_read: Vec<f64>,
    }

    /// Seconds each took in one round.
    struct Round {
        bound: f64,
        /// The bound with 64 KiB asks, as a plain reader reads.
        plain: f64,
        floor: f64,
        library: f64,
        /// The least reader (`least_read`), which `stat`s nothing.
        least: f64,
        /// The `stat(2)` calls the library makes, alone, right after a raw
        /// read of the text.
        stats: f64,
        /// Every line end of the text found, and nothing else done, right
        /// after a raw read of it: memchr's SIMD count of `\n`, the least
        /// a reader that looks at every line can spend on the text.
        scan: f64,
    }

    /// The minor page faults this process has taken so far.
    fn minor_faults() -> u64 {
        // SAFETY: `rusage` is plain data, valid all zero.
        let mut usage: libc::rusage = unsafe { core::mem::zeroed() };
        // SAFETY: `usage` is a live, writable `struct rusage`.
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
        usage.ru_minflt as u64
    }

    impl Rounds {
        /// At least 15 rounds and as many more as fit in about 3 seconds,
        /// up to 400.
        fn run(pid: i32, entries: usize, resident: bool) -> Self {
            let leaf = if resident { "smaps" } else { "maps" };
            let path = proc_path(pid, leaf);
            let text = std::fs::read(format!("/proc/{pid}/{leaf}")).expect("the text");
            let mut buf = vec![0u8; text.len() * 2 + CHUNK];
            let parse = || {
                if resident {
                    kinfo_vmmap::parse_smaps(&text)
                } else {
                    kinfo_vmmap::parse_maps(&text)
                }
                .expect("the saved text parses")
                .len()
            };
            let skip = kinfo_vmmap::Options::new().resident_counts(false);
            let call = || {
                if resident {
                    kinfo_vmmap::vmmap(pid)
                } else {
                    kinfo_vmmap::vmmap_with(pid, &skip)
                }
                .expect("the map")
                .len()
            };
            let files = stated_files(pid);
            let ask = library_ask(resident);
            let layout = resident.then(|| SmapsLayout::learn(&text));
            let page_shift = page_shift();
            // The least reader reads what the library reads. The child was
            // forked from this process, so a page of its heap turns private
            // or shared as this process writes its own copy: a count may
            // change between two reads, and a differing read is tried again.
            let agrees = |buf: &mut Vec<u8>| {
                let map = if resident {
                    kinfo_vmmap::vmmap(pid)
                } else {
                    kinfo_vmmap::vmmap_with(pid, &skip)
                }
                .expect("the map");
                let fields = |e: &kinfo_vmentry| {
                    let (start, end, offset, inode) =
                        (e.kve_start, e.kve_end, e.kve_offset, e.kve_vn_fileid);
                    let counts = (e.kve_protection, e.kve_resident, e.kve_private_resident);
                    (start, end, offset, inode, counts)
                };
                let mut same = false;
                least_read(
                    &path,
                    buf,
                    ask,
                    entries,
                    layout.as_ref(),
                    page_shift,
                    |least| {
                        same = least.iter().map(fields).eq(map.as_raw().iter().map(fields));
                    },
                );
                same
            };
            assert!(
                (0..5).any(|_| agrees(&mut buf)),
                "the least reader reads another map than the library"
            );
            let mut faults = [0u64; 3];
            let mut time = |which: usize, f: &mut dyn FnMut() -> usize| {
                let before = minor_faults();
                let start = std::time::Instant::now();
                black_box(f());
                let took = start.elapsed().as_secs_f64();
                faults[which] += minor_faults() - before;
                took
            };
            let began = std::time::Instant::now();
            let mut times = Vec::new();
            while times.len() < 15
                || (times.len() < 400 && began.elapsed() < std::time::Duration::from_secs(3))
            {
                let bound_s = time(0, &mut || {
                    bound(&path, &mut buf, ask, entries, Output::Malloc)
                });
                let floor_s = time(1, &mut || {
                    bound(&path, &mut buf, ask, entries, Output::Calloc)
                });
                let library_s = time(2, &mut || call());
                let start = std::time::Instant::now();
                black_box(least_read(
                    &path,
                    &mut buf,
                    ask,
                    entries,
                    layout.as_ref(),
                    page_shift,
                    |_| {},
                ));
                let least = start.elapsed().as_secs_f64();
                let start = std::time::Instant::now();
                black_box(bound(&path, &mut buf, CHUNK, entries, Output::Malloc));
                let plain_s = start.elapsed().as_secs_f64();
                black_box(raw_read(&path, &mut buf, ask));
                let start = std::time::Instant::now();
                stat_all(&files);
                let stats = start.elapsed().as_secs_f64();
                let read = raw_read(&path, &mut buf, ask);
                let start = std::time::Instant::now();
                black_box(memchr::memchr_iter(b'\n', black_box(&buf[..read])).count());
                times.push(Round {
                    bound: bound_s,
                    plain: plain_s,
                    floor: floor_s,
                    library: library_s,
                    least,
                    stats,
                    scan: start.elapsed().as_secs_f64(),
                });
            }
            // Apart from the rounds, so as not to disturb them.
            let timed_parse = || {
                let start = std::time::Instant::now();
                black_box(parse());
                start.elapsed().as_secs_f64()
            };
            let parses = (0..times.len()).map(|_| timed_parse()).collect();
            let parses_after_read = (0..times.len())
                .map(|_| {
                    black_box(raw_read(&path, &mut buf, ask));
                    timed_parse()
                })
                .collect();
            let rounds = times.len() as f64;
            let faults = faults.map(|f| f as f64 / rounds);
            Self {
                resident,
                times,
                files: files.len(),
                faults,
                parses,
                parses_after_read,
            }
        }

        /// The text read: `smaps` with resident counts, `maps` without.
        fn mode(&self) -> &'static str {
            if self.resident { "smaps" } else { "maps" }
        }

        /// The goal against the bound: 1.05 with resident counts, 1.15
        /// without.
        fn goal(&self) -> f64 {
            if self.resident { 1.05 } else { 1.15 }
        }

        /// The median of `f` over the rounds, and its quartiles.
        fn quartiles(&self, f: impl Fn(&Round) -> f64) -> [f64; 3] {
            quartiles(&self.times.iter().map(f).collect::<Vec<_>>())
        }
    }

    /// The first quartile, the median and the third of `values`.
    fn quartiles(values: &[f64]) -> [f64; 3] {
        let mut values = values.to_vec();
        values.sort_by(f64::total_cmp);
        let at = |q: usize| values[(values.len() - 1) * q / 4];
        [at(1), at(2), at(3)]
    }

    /// The rounds' medians and ratios, as a table.
    fn rounds_summary(rounds: &[(usize, usize, Rounds)]) {
        let ratio = |q: [f64; 3]| format!("{:.3}x [{:.3}-{:.3}]", q[1], q[0], q[2]);
        println!(
            "\nin rounds (each times the bound, the floor and the library in turn, then the \
             bound read with 64 KiB asks, then the library's stat calls alone, right after a raw \
             read of the text): medians, and the median of the rounds' ratios [quartiles]"
        );
        println!(
            "{:>9} {:>8} {:<6} {:>7} {:>9} {:>9} {:>9} {:>24} {:>24} {:>24} {:>6} {:>9} {:>24} {:>17}",
            "mappings",
            "entries",
            "mode",
            "rounds",
            "bound ms",
            "floor ms",
            "call ms",
            "call / bound",
            "call / 64 KiB asks' bound",
            "call / floor",
            "files",
            "stat ms",
            "call / (floor + stat)",
            "faults b / f / c"
        );
        for (mappings, entries, r) in rounds {
            let mode = r.mode();
            let [_, bound, _] = r.quartiles(|t| t.bound);
            let [_, floor, _] = r.quartiles(|t| t.floor);
            let [_, call, _] = r.quartiles(|t| t.library);
            let [_, stats, _] = r.quartiles(|t| t.stats);
            let [fb, ff, fc] = r.faults;
            println!(
                "{mappings:>9} {entries:>8} {mode:<6} {:>7} {:>9.3} {:>9.3} {:>9.3} {:>24} {:>24} {:>24} {:>6} {:>9.4} {:>24} {:>17}",
                r.times.len(),
                bound * 1e3,
                floor * 1e3,
                call * 1e3,
                ratio(r.quartiles(|t| t.library / t.bound)),
                ratio(r.quartiles(|t| t.library / t.plain)),
                ratio(r.quartiles(|t| t.library / t.floor)),
                r.files,
                stats * 1e3,
                ratio(r.quartiles(|t| t.library / (t.floor + t.stats))),
                format!("{fb:.0} / {ff:.0} / {fc:.0}"),
            );
        }
        println!(
            "\nthe least reader (least_read: read as the library reads, each entry written whole \
             from its map line and its record's counts and VmFlags where the first record had \
             them, nothing checked, classified or stat-ed), timed in the same rounds; with the \
             library's stat calls timed alone, the least a correct call costs: medians, and the \
             median of the rounds' ratios [quartiles]"
        );
        println!(
            "{:>9} {:>8} {:<6} {:>6} {:>9} {:>24} {:>24} {:>24}",
            "mappings",
            "entries",
            "mode",
            "goal",
            "least ms",
            "least / bound",
            "(least + stat) / bound",
            "call / (least + stat)"
        );
        for (mappings, entries, r) in rounds {
            let mode = r.mode();
            let goal = r.goal();
            let [_, least, _] = r.quartiles(|t| t.least);
            println!(
                "{mappings:>9} {entries:>8} {mode:<6} {goal:>5.2}x {:>9.3} {:>24} {:>24} {:>24}",
                least * 1e3,
                ratio(r.quartiles(|t| t.least / t.bound)),
                ratio(r.quartiles(|t| (t.least + t.stats) / t.bound)),
                ratio(r.quartiles(|t| t.library / (t.least + t.stats))),
            );
        }
        println!(
            "\nthe goal's room for parsing, per entry: what the goal allows beyond the floor and \
             the stat calls (goal x bound - floor - stat; negative when they alone exceed it), and \
             what the library takes there (call - floor - stat); beside them, the library's parse \
             of the same text saved at the start, its array included, after the rounds, with no \
             stat: in a loop, and each right after a raw read of the text, as cold as the \
             kernel's walk leaves it; and every line end of the text found, nothing else done, \
             right after a raw read; medians [quartiles]"
        );
        println!(
            "{:>9} {:>8} {:<6} {:>6} {:>22} {:>22} {:>22} {:>22} {:>22}",
            "mappings",
            "entries",
            "mode",
            "goal",
            "room ns",
            "taken ns",
            "parsed in a loop ns",
            "parsed after a read ns",
            "line ends found ns"
        );
        for (mappings, entries, r) in rounds {
            let mode = r.mode();
            let goal = r.goal();
            let per_entry = |q: [f64; 3]| {
                let ns = q.map(|s| s * 1e9 / *entries as f64);
                format!("{:.0} [{:.0} to {:.0}]", ns[1], ns[0], ns[2])
            };
            println!(
                "{mappings:>9} {entries:>8} {mode:<6} {goal:>5.2}x {:>22} {:>22} {:>22} {:>22} {:>22}",
                per_entry(r.quartiles(|t| goal * t.bound - t.floor - t.stats)),
                per_entry(r.quartiles(|t| t.library - t.floor - t.stats)),
                per_entry(quartiles(&r.parses)),
                per_entry(quartiles(&r.parses_after_read)),
                per_entry(r.quartiles(|t| t.scan)),
            );
        }
    }

    /// The files the library `stat`s when it reads the map of `pid`: each
    /// name of the `maps` text that is a path with an inode, once for a
    /// run of lines of the same device and inode, as its cache of the last
    /// file does.
    fn stated_files(pid: i32) -> Vec<std::ffi::CString> {
        let text = std::fs::read(format!("/proc/{pid}/maps")).expect("the maps text");
        let mut files = Vec::new();
        let mut last = None;
        for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let mut rest = line;
            let mut columns = [&b""[..]; 5];
            for column in &mut columns {
                rest = rest.trim_ascii_start();
                let end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
                (*column, rest) = rest.split_at(end);
            }
            let [_, _, _, device, inode] = columns;
            let name = rest.trim_ascii_start();
            if name.first() != Some(&b'/') || inode == b"0" {
                continue;
            }
            if last != Some((device, inode)) {
                files.push(std::ffi::CString::new(name).expect("a name has no NUL"));
                last = Some((device, inode));
            }
        }
        files
    }

    /// `stat(2)` of each of `files`, as the library calls it.
    fn stat_all(files: &[std::ffi::CString]) {
        for path in files {
            let mut st = core::mem::MaybeUninit::<libc::stat>::uninit();
            // Whether it succeeds or not, as for the library (a deleted
            // file's name does not `stat`), the call is what it costs.
            // SAFETY: `path` is NUL-terminated and `st` is writable for a
            // `struct stat`.
            black_box(unsafe { libc::stat(path.as_ptr(), st.as_mut_ptr()) });
        }
    }

    /// Measures both modes on the child `pid`, which has `mappings` of its
    /// own; the entries its map has.
    fn bench_size(c: &mut criterion::Criterion, pid: i32, mappings: usize) -> usize {
        let peers = mappings == PEERS_AT;
        let skip = kinfo_vmmap::Options::new().resident_counts(false);
        let entries = kinfo_vmmap::vmmap_with(pid, &skip).expect("the map").len();
        let maps_path = proc_path(pid, "maps");
        let smaps_path = proc_path(pid, "smaps");
        // Room for the whole text, which grows a little between reads.
        let smaps = std::fs::read(format!("/proc/{pid}/smaps")).expect("smaps");
        let mut buf = vec![0u8; smaps.len() * 2 + CHUNK];
        let layout = SmapsLayout::learn(&smaps);
        let page_shift = page_shift();

        let mut query = None;
        if peers {
            set_skip(true);
            let text = c_face_map(pid);
            query = match procmap_query(pid) {
                Ok(entries) => Some(entries),
                Err(errno @ (libc::ENOTTY | libc::EINVAL)) => {
                    let error = std::io::Error::from_raw_os_error(errno);
                    println!("PROCMAP_QUERY is not supported by this kernel ({error}); text only");
                    None
                }
                Err(errno) => panic!(
                    "PROCMAP_QUERY: {}",
                    std::io::Error::from_raw_os_error(errno)
                ),
            };
            if let Some(query) = &query {
                let n = assert_same(&text, query);
                println!("PROCMAP_QUERY and the maps text agree on all {n} entries but [vsyscall]");
            }
            set_skip(false);
            let smaps = procfs::process::Process::new(pid)
                .and_then(|p| p.smaps())
                .expect("procfs reads smaps");
            assert_eq!(smaps.len(), entries);
        }

        let mut g = c.benchmark_group(format!("linux_maps_{mappings}"));
        if mappings >= 60_000 {
            g.sample_size(20);
        }
        g.bench_function("bound", |b| {
            b.iter(|| bound(&maps_path, &mut buf, CHUNK, entries, Output::Malloc));
        });
        g.bench_function("kinfo_vmmap", |b| {
            b.iter(|| kinfo_vmmap::vmmap_with(pid, &skip).expect("the map").len());
        });
        g.bench_function("least", |b| {
            b.iter(|| {
                least_read(
                    &maps_path,
                    &mut buf,
                    CHUNK,
                    entries,
                    None,
                    page_shift,
                    |_| {},
                )
            });
        });
        if peers {
            g.bench_function("c_face", |b| {
                set_skip(true);
                b.iter(|| c_face_count(pid));
                set_skip(false);
            });
            g.bench_function("raw_read", |b| {
                b.iter(|| raw_read(&maps_path, &mut buf, CHUNK));
            });
            if query.is_some() {
                g.bench_function("procmap_query", |b| {
                    b.iter(|| procmap_query(pid).expect("the ioctl").len());
                });
                g.bench_function("procmap_query_raw", |b| {
                    b.iter(|| raw_procmap_query(pid).expect("the ioctl"));
                });
            }
            g.bench_function("output_alone", |b| {
                b.iter(|| zeroed_entries(entries));
            });
        }
        g.finish();

        let mut g = c.benchmark_group(format!("linux_smaps_{mappings}"));
        g.sample_size(if mappings <= 1_000 {
            100
        } else if mappings <= 10_000 {
            30
        } else {
            10
        });
        let ask = library_ask(true);
        g.bench_function("bound", |b| {
            b.iter(|| bound(&smaps_path, &mut buf, ask, entries, Output::Malloc));
        });
        g.bench_function("bound_plain_read", |b| {
            b.iter(|| bound(&smaps_path, &mut buf, CHUNK, entries, Output::Malloc));
        });
        g.bench_function("kinfo_vmmap", |b| {
            b.iter(|| kinfo_vmmap::vmmap(pid).expect("the map").len());
        });
        g.bench_function("least", |b| {
            b.iter(|| {
                let layout = Some(&layout);
                least_read(
                    &smaps_path,
                    &mut buf,
                    ask,
                    entries,
                    layout,
                    page_shift,
                    |_| {},
                )
            });
        });
        if peers {
            g.bench_function("procfs_crate", |b| {
                b.iter(|| {
                    let process = procfs::process::Process::new(pid).expect("the child");
                    process.smaps().expect("smaps").len()
                });
            });
        }
        g.finish();
        entries
    }

    /// Each size's ratios to its bound, and the peers'.
    fn summary(measured: &[(usize, usize)]) {
        println!("\nthe library against the bound (raw read + writing the array's fixed parts)");
        println!(
            "{:>9} {:>8} {:<7} {:>10} {:>10} {:>7}",
            "mappings", "entries", "mode", "bound ms", "call ms", "ratio"
        );
        for &(mappings, entries) in measured {
            for (mode, group) in [("smaps", "linux_smaps"), ("maps", "linux_maps")] {
                let group = format!("{group}_{mappings}");
                let (Some(bound), Some(call)) = (
                    common::median(&group, "bound"),
                    common::median(&group, "kinfo_vmmap"),
                ) else {
                    continue;
                };
                println!(
                    "{mappings:>9} {entries:>8} {mode:<7} {:>10.3} {:>10.3} {:>6.3}x",
                    bound * 1e3,
                    call * 1e3,
                    call / bound
                );
            }
        }
        common::summary(
            &format!("counts skipped (maps), {PEERS_AT} mappings; ratio to the bound"),
            &format!("linux_maps_{PEERS_AT}"),
            "bound",
            &[
                ("bound", "raw read + the array's fixed parts (the bound)"),
                ("kinfo_vmmap", "kinfo_vmmap::vmmap_with, maps text"),
                ("c_face", "kinfo_getvmmap, maps text (the C face)"),
                ("raw_read", "raw read(2) of /proc/PID/maps alone"),
                ("procmap_query", "PROCMAP_QUERY ioctl -> the same entries"),
                (
                    "procmap_query_raw",
                    "PROCMAP_QUERY ioctls alone, one per VMA",
                ),
                ("output_alone", "writing the zeroed entries alone"),
            ],
        );
        common::summary(
            &format!("with resident counts (smaps), {PEERS_AT} mappings; ratio to the bound"),
            &format!("linux_smaps_{PEERS_AT}"),
            "bound",
            &[
                ("bound", "raw read + the array's fixed parts (the bound)"),
                ("bound_plain_read", "the same, read with 64 KiB asks"),
                ("kinfo_vmmap", "kinfo_vmmap::vmmap, smaps text"),
                ("procfs_crate", "procfs crate: Process::smaps() (a peer)"),
            ],
        );
    }

    /// How the bound gets its array.
    #[derive(Clone, Copy)]
    enum Output {
        /// `malloc`: the bound.
        Malloc,
        /// `calloc`: the floor, the array zeroed as a correct result is.
        Calloc,
    }

    /// The bound: the raw read of the text at `path`, `ask` bytes asked at
    /// a time, and the output array of `entries` records, `malloc`ed and
    /// each record's fixed part (everything before `kve_path`) written,
    /// which touches every page. With `Output::Calloc`, the floor.
    fn bound(path: &[u8], buf: &mut [u8], ask: usize, entries: usize, output: Output) -> usize {
        let read = raw_read(path, buf, ask);
        let size = entries.max(1) * size_of::<kinfo_vmentry>();
        // SAFETY: `malloc` and `calloc` have no preconditions; NULL is
        // checked.
        let array = unsafe {
            match output {
                Output::Malloc => libc::malloc(size),
                Output::Calloc => libc::calloc(1, size),
            }
        };
        assert!(!array.is_null());
        let array = array.cast::<kinfo_vmentry>();
        let mut fixed = [0u8; KVE_HEADER_SIZE];
        fixed[..4].copy_from_slice(&KINFO_VMENTRY_SIZE.to_ne_bytes());
        for i in 0..entries {
            fixed[8..16].copy_from_slice(&(i as u64).to_ne_bytes());
            // SAFETY: record `i` lies inside the block, which has room for
            // `entries` records; the fixed part is its first bytes.
            unsafe {
                core::ptr::copy_nonoverlapping(
                    fixed.as_ptr(),
                    array.add(i).cast::<u8>(),
                    KVE_HEADER_SIZE,
                );
            }
        }
        black_box(array);
        // SAFETY: the block came from `malloc` and is freed once.
        unsafe { libc::free(array.cast()) };
        read
    }

    /// Where a plain reader that trusts the kernel finds an `smaps`
    /// record's counts: every record's field lines are the first one's but
    /// for the 8 columns of each count, so it learns, from the first
    /// record of the text, how long they are and where the three counts it
    /// reads lie in them.
    struct SmapsLayout {
        /// Bytes from the first field line to the `VmFlags` line.
        span: usize,
        /// The first of the 8 columns of `Rss`, `Private_Clean` and
        /// `Private_Dirty`, from the first field line.
        counts: [usize; 3],
    }

    impl SmapsLayout {
        /// The layout of the first record of `text`.
        fn learn(text: &[u8]) -> Self {
            let fields = memchr::memchr(b'\n', text).expect("a map line") + 1;
            let mut lines = Vec::new();
            let mut at = fields;
            while !text[at..].starts_with(b"VmFlags:") {
                let end = at + memchr::memchr(b'\n', &text[at..]).expect("a whole line");
                lines.push((at, end));
                at = end + 1;
            }
            let column = |name: &[u8]| {
                let &(_, end) = lines
                    .iter()
                    .find(|&&(start, _)| text[start..].starts_with(name))
                    .expect("the field");
                assert!(text[..end].ends_with(b" kB"));
                end - 3 - 8 - fields
            };
            Self {
                span: at - fields,
                counts: [
                    column(b"Rss:"),
                    column(b"Private_Clean:"),
                    column(b"Private_Dirty:"),
                ],
            }
        }
    }

    /// log2 of the page size.
    fn page_shift() -> u32 {
        // SAFETY: `sysconf` has no preconditions.
        (unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64).trailing_zeros()
    }

    /// A hexadecimal number at `*at` in `line`, `*at` moved past it.
    fn hex(line: &[u8], at: &mut usize) -> u64 {
        let mut value = 0;
        while let Some(&b) = line.get(*at) {
            let digit = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                _ => break,
            };
            value = value << 4 | u64::from(digit);
            *at += 1;
        }
        value
    }

    /// The digits among `columns`, as a number: a count right-aligned in 8.
    fn right_aligned(columns: &[u8]) -> u64 {
        columns
            .iter()
            .filter(|b| b.is_ascii_digit())
            .fold(0, |value, &b| value * 10 + u64::from(b - b'0'))
    }

    /// Writes the entry of the map line `line` (its `\n` left out) into
    /// `slot`, zeroing it first: with the counts in kB and the `VmFlags`
    /// codes when `smaps` gives them. Nothing is checked, nothing `stat`ed
    /// or classified: a name is a vnode's path, no name is swap.
    ///
    /// # Safety
    /// `slot` is valid for writing one entry.
    unsafe fn write_least(
        slot: *mut kinfo_vmentry,
        line: &[u8],
        counts: Option<([u64; 3], &[u8])>,
        page_shift: u32,
    ) {
        let mut at = 0;
        let start = hex(line, &mut at);
        at += 1;
        let end = hex(line, &mut at);
        let perms = &line[at + 1..at + 5];
        at += 6;
        let offset = hex(line, &mut at);
        at += 1;
        let major = hex(line, &mut at) as u32;
        at += 1;
        let minor = hex(line, &mut at) as u32;
        at += 1;
        let mut inode = 0;
        while let Some(&b) = line.get(at).filter(|b| b.is_ascii_digit()) {
            inode = inode * 10 + u64::from(b - b'0');
            at += 1;
        }
        while line.get(at) == Some(&b' ') {
            at += 1;
        }
        let path = &line[at.min(line.len())..];
        // SAFETY: the caller's slot; all zero bytes are a valid entry.
        let entry = unsafe {
            slot.write_bytes(0, 1);
            &mut *slot
        };
        entry.kve_structsize = KINFO_VMENTRY_SIZE;
        entry.kve_type = if path.is_empty() {
            KVME_TYPE_SWAP
        } else {
            KVME_TYPE_VNODE
        };
        entry.kve_start = start;
        entry.kve_end = end;
        entry.kve_offset = offset;
        entry.kve_vn_fileid = inode;
        entry.kve_type_spec = kinfo_vmentry_type_spec {
            _kve_vn_fsid: libc::makedev(major, minor),
        };
        let mut prot = 0;
        for (i, bit) in [KVME_PROT_READ, KVME_PROT_WRITE, KVME_PROT_EXEC]
            .into_iter()
            .enumerate()
        {
            if perms[i] != b'-' {
                prot |= bit;
            }
        }
        let mut flags = if perms[3] == b'p' { KVME_FLAG_COW } else { 0 };
        if let Some(([rss, clean, dirty], vm_flags)) = counts {
            entry.kve_resident = ((rss * 1024) >> page_shift) as c_int;
            entry.kve_private_resident = (((clean + dirty) * 1024) >> page_shift) as c_int;
            for code in vm_flags.chunks(3) {
                match &code[..2] {
                    b"mr" => prot |= KVME_MAX_PROT_READ,
                    b"mw" => prot |= KVME_MAX_PROT_WRITE,
                    b"me" => prot |= KVME_MAX_PROT_EXEC,
                    b"gd" => flags |= KVME_FLAG_GROWS_DOWN,
                    b"lo" => flags |= KVME_FLAG_USER_WIRED,
                    b"dd" => flags |= KVME_FLAG_NOCOREDUMP,
                    _ => {}
                }
            }
        }
        entry.kve_protection = prot;
        entry.kve_flags = flags;
        for (dst, &src) in entry.kve_path.iter_mut().zip(&path[..path.len().min(1023)]) {
            *dst = src as c_char;
        }
    }

    /// The least reader: what any reader of the text must do, and nothing
    /// more. It reads as the library does (`smaps` into a 64 KiB buffer
    /// with the library's asks, each buffer parsed as it fills; `maps`
    /// whole, its lines counted), and writes each entry whole from its map
    /// line and, with `layout`, the three counts and the `VmFlags` of its
    /// record, found where the first record had them. It checks nothing
    /// but that each record's `VmFlags` line is where the layout puts it,
    /// and `stat`s nothing: with the stat calls timed alone, the least a
    /// correct call can cost. Its array is the library's (`LeastArray`):
    /// grown by half again for `smaps`, allocated at the line count for
    /// `maps`, each slot's lines asked for two slots ahead and the pages of
    /// an array of 32 MiB or more made present 2 MiB ahead
    /// (`MADV_POPULATE_WRITE`), so that the two differ only in the parse.
    /// `keep` sees the entries before the array is freed; the entries
    /// written.
    #[inline(never)]
    fn least_read(
        path: &[u8],
        buf: &mut [u8],
        ask: usize,
        entries: usize,
        layout: Option<&SmapsLayout>,
        page_shift: u32,
        keep: impl FnOnce(&[kinfo_vmentry]),
    ) -> usize {
        let fd = Fd::open(path).expect("open");
        let mut array = LeastArray::new();
        let mut written = 0;
        let mut write = |array: &mut LeastArray, line: &[u8], counts: Option<([u64; 3], &[u8])>| {
            assert!(written < entries, "more records than entries");
            if written == array.cap {
                array.grow(written + 1);
            }
            array.populate_ahead(written);
            #[cfg(target_arch = "x86_64")]
            if written + array::PREFETCH_AHEAD < array.cap {
                // SAFETY: the slot lies in the array.
                let ahead = unsafe { array.ptr.add(written + array::PREFETCH_AHEAD) }.cast::<i8>();
                for line in (0..size_of::<kinfo_vmentry>() + 63).step_by(64) {
                    // SAFETY: a prefetch reads nothing and cannot fault.
                    unsafe {
                        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                            ahead.wrapping_add(line),
                        );
                    }
                }
            }
            // SAFETY: `written < cap`, so the slot lies in the array.
            unsafe { write_least(array.ptr.add(written), line, counts, page_shift) };
            written += 1;
        };
        let batch = match layout {
            Some(_) => buf.len().min(CHUNK),
            None => buf.len(),
        };
        let mut filled = 0;
        loop {
            let mut end = false;
            while filled < batch {
                let spare = &mut buf[filled..batch];
                let len = spare.len().min(ask);
                // SAFETY: `spare` is valid for writes of `len` bytes.
                let n = unsafe { libc::read(fd.0, spare.as_mut_ptr().cast::<c_void>(), len) };
                match n {
                    0 => {
                        end = true;
                        break;
                    }
                    n if n > 0 => filled += n as usize,
                    _ => panic!("read: {}", std::io::Error::last_os_error()),
                }
            }
            assert!(
                end || layout.is_some(),
                "maps outgrew the benchmark's buffer"
            );
            let text = &buf[..filled];
            if layout.is_none() {
                // The whole `maps` text: its lines counted, the array
                // allocated at their number, as the library does.
                array.grow(memchr::memchr_iter(b'\n', text).count());
            }
            let mut at = 0;
            while let Some(newline) = memchr::memchr(b'\n', &text[at..]) {
                let line = &text[at..at + newline];
                let Some(layout) = layout else {
                    write(&mut array, line, None);
                    at += newline + 1;
                    continue;
                };
                let fields = at + newline + 1;
                let vm_flags = fields + layout.span;
                let Some(flags_end) = text
                    .get(vm_flags..)
                    .and_then(|rest| memchr::memchr(b'\n', rest))
                else {
                    break;
                };
                assert!(text[vm_flags..].starts_with(b"VmFlags:"), "another layout");
                let count = |i: usize| {
                    let column = fields + layout.counts[i];
                    right_aligned(&text[column..column + 8])
                };
                let codes = &text[vm_flags + 9..vm_flags + flags_end];
                write(
                    &mut array,
                    line,
                    Some(([count(0), count(1), count(2)], codes)),
                );
                at = vm_flags + flags_end + 1;
            }
            if end {
                break;
            }
            buf.copy_within(at..filled, 0);
            filled -= at;
        }
        if written > 0 {
            // SAFETY: the first `written` entries of the array were written.
            keep(unsafe { core::slice::from_raw_parts(array.ptr, written) });
        }
        black_box(array.ptr);
        written
    }

    /// The least reader's array, `malloc`ed, grown and written ahead into
    /// by the library's own rules (`__internals::array`): grown by half
    /// again while the entries' number is unknown (`smaps`, read a buffer
    /// at a time), and with its pages made present a window ahead of the
    /// writes once it is large.
    struct LeastArray {
        ptr: *mut kinfo_vmentry,
        cap: usize,
        /// The slots whose pages were asked for.
        populated_to: usize,
    }

    impl LeastArray {
        fn new() -> Self {
            Self {
                ptr: core::ptr::null_mut(),
                cap: 0,
                populated_to: 0,
            }
        }

        /// Room for at least `needed` entries, growing as the library's
        /// array grows.
        fn grow(&mut self, needed: usize) {
            let cap = array::grown_capacity(self.cap, needed);
            // SAFETY: `ptr` is NULL or came from `malloc`/`realloc`, and
            // is replaced by the result; NULL is checked.
            let ptr = unsafe { libc::realloc(self.ptr.cast(), cap * size_of::<kinfo_vmentry>()) };
            assert!(!ptr.is_null());
            (self.ptr, self.cap) = (ptr.cast(), cap);
        }

        /// Before slot `len` is written: the pages of the next window of
        /// slots asked for at once, whole aligned blocks, when the array
        /// is large enough and they were not asked for yet.
        fn populate_ahead(&mut self, len: usize) {
            if len < self.populated_to {
                return;
            }
            let size = size_of::<kinfo_vmentry>();
            let end = self.cap.min(len + array::POPULATE_WINDOW);
            if self.cap * size >= array::POPULATE_FROM {
                let align = array::POPULATE_ALIGN;
                let base = self.ptr as usize;
                let from = (base + len * size).next_multiple_of(align);
                let to = (base + end * size) / align * align;
                if to > from {
                    // SAFETY: the range lies inside the array; populating
                    // it writes nothing the program sees. Linux before 5.14
                    // refuses it, and the pages then fault as they are
                    // written, as in the library.
                    unsafe {
                        libc::madvise(from as *mut c_void, to - from, libc::MADV_POPULATE_WRITE)
                    };
                }
            }
            self.populated_to = end;
        }
    }

    impl Drop for LeastArray {
        fn drop(&mut self) {
            // SAFETY: `ptr` is NULL or came from `realloc`, freed once.
            unsafe { libc::free(self.ptr.cast()) };
        }
    }

    /// The map of `pid` through the C face, freed at once: its length.
    fn c_face_count(pid: i32) -> usize {
        let mut count = 0;
        // SAFETY: `count` is a live int.
        let entries = unsafe { kinfo_vmmap::capi::kinfo_getvmmap(pid, &mut count) };
        assert!(!entries.is_null(), "{}", std::io::Error::last_os_error());
        // SAFETY: the array came from malloc.
        unsafe { libc::free(entries.cast()) };
        count as usize
    }

    /// The map of `pid` through the C face, copied.
    fn c_face_map(pid: i32) -> Vec<kinfo_vmentry> {
        let mut count = 0;
        // SAFETY: `count` is a live int.
        let entries = unsafe { kinfo_vmmap::capi::kinfo_getvmmap(pid, &mut count) };
        assert!(!entries.is_null(), "{}", std::io::Error::last_os_error());
        // SAFETY: `entries` holds `count` entries from malloc.
        let map = unsafe { core::slice::from_raw_parts(entries, count as usize) }.to_vec();
        // SAFETY: the array came from malloc.
        unsafe { libc::free(entries.cast()) };
        map
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

    /// Reads the whole file into `buf`, `ask` bytes asked at a time, and
    /// parses nothing: the cost of the kernel's text.
    fn raw_read(path: &[u8], buf: &mut [u8], ask: usize) -> usize {
        let fd = Fd::open(path).expect("open");
        let mut filled = 0;
        loop {
            let spare = &mut buf[filled..];
            let ask = spare.len().min(ask);
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

    /// A fresh array of `count` entries, allocated at its final size and
    /// zeroed entry by entry as the library writes them: 1160 bytes each,
    /// the part of the cost no parser can remove.
    fn zeroed_entries(count: usize) -> usize {
        let mut entries: Vec<kinfo_vmentry> = Vec::with_capacity(count);
        for slot in entries.spare_capacity_mut() {
            // SAFETY: the slot is valid for writing one entry.
            unsafe { slot.as_mut_ptr().write_bytes(0, 1) };
        }
        // SAFETY: every entry up to `count` was written (all zero bytes
        // are a valid `kinfo_vmentry`).
        unsafe { entries.set_len(count) };
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
            // As the library does, FreeBSD's rule: only files have a path.
            if path.first() == Some(&b'/') {
                for (dst, &src) in e.kve_path.iter_mut().zip(path) {
                    *dst = src as c_char;
                }
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

    /// The maps text also shows the gate VMA, `[vsyscall]` on x86_64 (at
    /// its fixed address, since its `kve_path` is empty), which lives
    /// outside the process's VMA tree where `PROCMAP_QUERY` cannot find
    /// it; apart from it, both must be the same.
    fn assert_same(text: &[kinfo_vmentry], query: &[kinfo_vmentry]) -> usize {
        const VSYSCALL: u64 = 0xffff_ffff_ff60_0000;
        let text: Vec<&kinfo_vmentry> = text
            .iter()
            .filter(|e| !(e.kve_type == KVME_TYPE_PHYS && e.kve_start == VSYSCALL))
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
}
