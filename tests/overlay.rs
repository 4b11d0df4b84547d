//! The C face on Linux, end to end, from C.
//!
//! FreeBSD code is built unmodified through the overlay headers
//! (`include/overlay/`), with gcc and clang, as C and C++, and linked with
//! the library this package builds; the maps it gets from
//! `kinfo_getvmmap(3)` are held against this file's own reading of
//! `/proc/PID/smaps`: every entry, its range, protection, resident and
//! private resident counts, type, flags and path. The C sources live in
//! `tests/linux/`: a consumer (`vmmap_consumer.c`) that prints a map,
//! stopped target processes (`vmmap_helper.c`), and the `LD_PRELOAD`
//! case, a FreeBSD program linked with `-lutil` against a stand-in libutil
//! (`libutil_stand_in.c`, `preload_consumer.c`).
//!
//! Run with `cargo test --test overlay`. A test whose tools are missing
//! (cc, c++, clang, zig from `scripts/setup.sh`, a static libc) prints a
//! note and passes, unless `CI` is set: there, every prerequisite is
//! installed on purpose and a missing one fails the test.
//!
//! Why the comparisons are exact: a target is always stopped (SIGSTOP)
//! while both the library and this file read its map, and a stopped
//! process's map cannot change. What can change is whether a page of a
//! shared library is also mapped by some other process on the system,
//! which moves it between `Private_*` and `Shared_*`; so a comparison whose
//! only differences are the private counts of such files is taken again,
//! a few times, before it fails. Every other difference fails at once.

#![cfg(target_os = "linux")]

mod support;

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs;
use std::io::Write as _;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};

use support::{built_library, missing, root, tool_runs};

// FreeBSD's values, from its <sys/user.h>; the reference below is written
// from them and from smaps, not from the library's own definitions.
const KVME_TYPE_VNODE: i32 = 2;
const KVME_TYPE_SWAP: i32 = 3;
const KVME_TYPE_PHYS: i32 = 5;
const KVME_PROT_READ: u32 = 0x1;
const KVME_PROT_WRITE: u32 = 0x2;
const KVME_PROT_EXEC: u32 = 0x4;
const KVME_MAX_PROT_READ: u32 = 0x10000;
const KVME_MAX_PROT_WRITE: u32 = 0x20000;
const KVME_MAX_PROT_EXEC: u32 = 0x40000;
const KVME_FLAG_COW: u32 = 0x1;
const KVME_FLAG_NOCOREDUMP: u32 = 0x4;
const KVME_FLAG_SUPER: u32 = 0x8;
const KVME_FLAG_GROWS_DOWN: u32 = 0x20;
const KVME_FLAG_USER_WIRED: u32 = 0x40;
const KVME_FLAG_POSIXSHM: u32 = 0x100;

/// How often a comparison disturbed only by other processes is taken.
const ATTEMPTS: usize = 3;

/// Pages of the many-mappings helper.
const MANY_PAGES: usize = 5000;

/// Warnings every C and C++ build must pass.
const STRICT: [&str; 4] = ["-Wall", "-Wextra", "-Werror", "-pedantic"];

/// How the test programs are built: strict C11, with the BSD and POSIX
/// interfaces glibc hides under `-std=c11` unless asked (FreeBSD shows them
/// by default), optimised so that gcc's flow-based warnings run too.
const PROGRAM: [&str; 3] = ["-std=c11", "-D_DEFAULT_SOURCE", "-O2"];

// ---------------------------------------------------------------------------
// Prerequisites and building

fn c_source(name: &str) -> PathBuf {
    root().join("tests/linux").join(name)
}

/// `-I include/overlay -I include`: the in-tree form of the flags the
/// overlay headers document.
fn overlay_flags(overlay_option: &str) -> Vec<OsString> {
    vec![
        overlay_option.into(),
        root().join("include/overlay").into(),
        "-I".into(),
        root().join("include").into(),
    ]
}

/// Runs a compiler; `Err` holds its diagnostics.
fn compile(compiler: &str, args: &[OsString]) -> Result<(), String> {
    let output = Command::new(compiler)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{compiler}: {e}"));
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{compiler} {}\n{}",
            args.iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" "),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn must_compile(compiler: &str, args: &[OsString]) {
    if let Err(diagnostics) = compile(compiler, args) {
        panic!("{diagnostics}");
    }
}

fn args<I, S>(items: I) -> Vec<OsString>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    items.into_iter().map(|s| s.as_ref().to_owned()).collect()
}

/// The C programs every comparison needs, built once per test process.
struct Build {
    dir: PathBuf,
    /// The directory of this build's copy of `libkinfo_vmmap.so`.
    lib_dir: PathBuf,
    library: PathBuf,
    consumer: PathBuf,
    helper: PathBuf,
}

/// `target/tmp/overlay/<pid>`, after removing the directories of earlier
/// test processes that are gone.
fn build_dir() -> PathBuf {
    let parent = Path::new(env!("CARGO_TARGET_TMPDIR")).join("overlay");
    fs::create_dir_all(&parent).expect("create the build directory");
    for entry in fs::read_dir(&parent)
        .expect("read the build directory")
        .flatten()
    {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
    let dir = parent.join(std::process::id().to_string());
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create the build directory");
    dir
}

/// The shared build, or `None` after a note when cc is missing.
fn build(test: &str) -> Option<&'static Build> {
    static BUILD: OnceLock<Build> = OnceLock::new();
    if !tool_runs("cc") {
        missing(test, "no C compiler (cc)");
        return None;
    }
    Some(BUILD.get_or_init(|| {
        let dir = build_dir();
        // A copy, so that a concurrent `cargo build` replacing the shipped
        // one cannot change the library under a running test, and so that
        // no process but these tests' ever maps its pages.
        let lib_dir = dir.join("lib");
        fs::create_dir_all(&lib_dir).expect("create lib/");
        let library = lib_dir.join("libkinfo_vmmap.so");
        fs::copy(built_library("libkinfo_vmmap.so"), &library).expect("copy libkinfo_vmmap.so");

        let consumer = dir.join("vmmap_consumer");
        let mut consumer_args = args(PROGRAM);
        consumer_args.extend(args(STRICT));
        consumer_args.extend(overlay_flags("-I"));
        consumer_args.extend(args([
            c_source("vmmap_consumer.c").as_os_str(),
            "-o".as_ref(),
            consumer.as_os_str(),
        ]));
        consumer_args.extend(link_flags(&lib_dir, "kinfo_vmmap"));
        // Resolved at load time: the consumer stops itself right after its
        // call, and a lazily bound symbol would fault in more of ld.so.
        consumer_args.push("-Wl,-z,now".into());
        must_compile("cc", &consumer_args);

        Build {
            consumer,
            helper: dir.join("vmmap_helper"),
            dir,
            lib_dir,
            library,
        }
    }))
}

/// `-L dir -lname` and an rpath, so that the program runs as built.
fn link_flags(dir: &Path, name: &str) -> Vec<OsString> {
    let mut rpath = OsString::from("-Wl,-rpath,");
    rpath.push(dir);
    vec!["-L".into(), dir.into(), format!("-l{name}").into(), rpath]
}

/// The static helper, or `None` after a note when this system has no
/// static libc.
fn helper(test: &str, build: &Build) -> Option<PathBuf> {
    static HELPER: OnceLock<Result<(), String>> = OnceLock::new();
    let built = HELPER.get_or_init(|| {
        let mut helper_args = args(PROGRAM);
        helper_args.extend(args(STRICT));
        helper_args.extend(args([
            "-static".as_ref(),
            c_source("vmmap_helper.c").as_os_str(),
            "-o".as_ref(),
            build.helper.as_os_str(),
        ]));
        compile("cc", &helper_args)
    });
    match built {
        Ok(()) => Some(build.helper.clone()),
        Err(diagnostics) if diagnostics.contains("cannot find -lc") => {
            missing(test, "no static libc to link the helper (libc6-dev)");
            None
        }
        Err(diagnostics) => panic!("{diagnostics}"),
    }
}

/// Every test that runs a program built here holds this: while a
/// comparison runs, no other test's process maps the consumer, the helper
/// or this build's copy of the library, so that their pages stay private
/// to the process under test.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A command for a program under test. It finds its libraries through its
/// rpath alone: cargo test sets LD_LIBRARY_PATH to target/<profile>/deps,
/// which would win over the rpath (a RUNPATH) and load the library there
/// instead of this build's copy. Resident counts are on, whatever the
/// caller's environment says, and transparent huge pages are off, so that
/// khugepaged cannot collapse a stopped process's pages (and change its
/// counts) between two readings.
fn command(program: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_remove("LD_LIBRARY_PATH")
        .env_remove("LD_PRELOAD")
        .env_remove("KINFO_VMMAP_SKIP_RESIDENT_COUNT");
    // SAFETY: the closure runs in the child between fork and exec and only
    // makes one system call, which is async-signal-safe. The setting is
    // kept across execve.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).expect("a page size")
}

fn stdout_of(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what}: {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

// ---------------------------------------------------------------------------
// Stopped processes

/// A child that stops itself with SIGSTOP, killed if a test ends early.
struct Stopped {
    child: Option<Child>,
}

impl Stopped {
    /// Spawns `cmd` and waits until it has stopped.
    fn spawn(mut cmd: Command) -> Self {
        let child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stopped = Self { child: Some(child) };
        stopped.wait_for_stop();
        stopped
    }

    fn pid(&self) -> i32 {
        let child = self.child.as_ref().expect("a child");
        i32::try_from(child.id()).expect("a pid")
    }

    fn wait_for_stop(&mut self) {
        // SAFETY: an all-zero siginfo_t is a valid value to be overwritten.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // WNOWAIT leaves the child waitable, so that std still reaps it.
        let flags = libc::WSTOPPED | libc::WEXITED | libc::WNOWAIT;
        // SAFETY: `info` is valid for writing; the pid is our child's.
        let rc = unsafe { libc::waitid(libc::P_PID, self.pid() as libc::id_t, &mut info, flags) };
        assert_eq!(rc, 0, "waitid: {}", std::io::Error::last_os_error());
        if info.si_code != libc::CLD_STOPPED {
            let output = self.resume();
            panic!(
                "the child ended instead of stopping: {}\nstderr:\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }

    /// Continues the child and collects it once it exits.
    fn resume(&mut self) -> Output {
        let child = self.child.take().expect("a child");
        // SAFETY: kill has no memory-safety preconditions; the pid is our
        // unreaped child's.
        unsafe { libc::kill(child.id() as i32, libc::SIGCONT) };
        child.wait_with_output().expect("wait for the child")
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

// ---------------------------------------------------------------------------
// The reference: /proc/PID/smaps, read plainly

/// One VMA of smaps.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Vma {
    start: u64,
    end: u64,
    /// `rwxp`, `r--s`, ...
    perms: String,
    inode: u64,
    /// The name column as printed: a path, a `[pseudo]` name or nothing.
    name: String,
    /// The `Name: N kB` fields.
    kb: BTreeMap<String, u64>,
    vm_flags: Vec<String>,
}

/// Splits off `n` space-separated columns; the rest, from its first
/// non-space, is the name, kept exactly (spaces and all).
fn columns(line: &str, n: usize) -> Option<(Vec<&str>, &str)> {
    let mut rest = line;
    let mut fields = Vec::with_capacity(n);
    for _ in 0..n {
        rest = rest.trim_start_matches(' ');
        let end = rest.find(' ').unwrap_or(rest.len());
        if end == 0 {
            return None;
        }
        fields.push(&rest[..end]);
        rest = &rest[end..];
    }
    Some((fields, rest.trim_start_matches(' ')))
}

/// The map line that opens a VMA's record: `start-end perms offset dev
/// inode`, then padding and the name.
fn parse_map_line(line: &str) -> Option<Vma> {
    let (fields, name) = columns(line, 5)?;
    let (start, end) = fields[0].split_once('-')?;
    Some(Vma {
        start: u64::from_str_radix(start, 16).ok()?,
        end: u64::from_str_radix(end, 16).ok()?,
        perms: fields[1].to_owned(),
        inode: fields[4].parse().ok()?,
        name: name.to_owned(),
        kb: BTreeMap::new(),
        vm_flags: Vec::new(),
    })
}

fn parse_smaps(text: &str) -> Vec<Vma> {
    let mut vmas: Vec<Vma> = Vec::new();
    for line in text.split('\n').filter(|l| !l.is_empty()) {
        if let Some(vma) = parse_map_line(line) {
            vmas.push(vma);
            continue;
        }
        let vma = vmas.last_mut().expect("a field line after a map line");
        let (name, value) = line.split_once(':').expect("a `Name: value` line");
        if name == "VmFlags" {
            vma.vm_flags = value.split_whitespace().map(str::to_owned).collect();
        } else if let Some(kb) = value.trim().strip_suffix(" kB") {
            vma.kb
                .insert(name.to_owned(), kb.trim().parse().expect("a count"));
        }
    }
    vmas
}

fn read_smaps(pid: i32) -> Vec<Vma> {
    let text = fs::read_to_string(format!("/proc/{pid}/smaps")).expect("read smaps");
    let vmas = parse_smaps(&text);
    assert!(!vmas.is_empty(), "process {pid} has an empty smaps");
    vmas
}

/// What `kinfo_getvmmap` must say of a VMA.
fn expected(vma: &Vma, page: u64, counts: bool) -> Entry {
    let perms = vma.perms.as_bytes();
    let has = |flag: &str| counts && vma.vm_flags.iter().any(|f| f == flag);
    let kb = |field: &str| vma.kb.get(field).copied().unwrap_or(0);

    let mut protection = 0;
    for (set, bit) in [
        (perms[0] == b'r', KVME_PROT_READ),
        (perms[1] == b'w', KVME_PROT_WRITE),
        (perms[2] == b'x', KVME_PROT_EXEC),
        (has("mr"), KVME_MAX_PROT_READ),
        (has("mw"), KVME_MAX_PROT_WRITE),
        (has("me"), KVME_MAX_PROT_EXEC),
    ] {
        if set {
            protection |= bit;
        }
    }

    let name = vma.name.as_str();
    let mut flags = 0;
    let huge = kb("AnonHugePages") + kb("ShmemPmdMapped") + kb("FilePmdMapped") > 0;
    for (set, bit) in [
        (perms[3] == b'p', KVME_FLAG_COW),
        (
            has("gd") || (!counts && name == "[stack]"),
            KVME_FLAG_GROWS_DOWN,
        ),
        (has("lo"), KVME_FLAG_USER_WIRED),
        (has("dd"), KVME_FLAG_NOCOREDUMP),
        (has("ht") || (counts && huge), KVME_FLAG_SUPER),
        (name.starts_with("/dev/shm/"), KVME_FLAG_POSIXSHM),
    ] {
        if set {
            flags |= bit;
        }
    }

    // Anonymous memory is swap-backed, as on FreeBSD; the mappings the
    // kernel installs itself are FreeBSD's shared page's kin, a PHYS
    // object; a file is a vnode. Other kinds do not occur in these tests.
    let kind = match name {
        "" | "[heap]" | "[stack]" => KVME_TYPE_SWAP,
        _ if name.starts_with("[anon:") => KVME_TYPE_SWAP,
        "[vdso]" | "[vvar]" | "[vvar_vclock]" | "[vsyscall]" => KVME_TYPE_PHYS,
        _ if name.starts_with('/') && vma.inode != 0 => KVME_TYPE_VNODE,
        _ => panic!("no expectation for a mapping of {name:?}"),
    };

    let pages = |kb: u64| i64::try_from(kb * 1024 / page).expect("a page count");
    let (resident, private_resident) = if counts {
        (
            pages(kb("Rss")),
            pages(kb("Private_Clean") + kb("Private_Dirty")),
        )
    } else {
        (0, 0)
    };
    Entry {
        start: vma.start,
        end: vma.end,
        protection,
        resident,
        private_resident,
        kind,
        flags,
        // FreeBSD's rule: a path only for a file (no deleted file occurs
        // here), nothing for anonymous memory and pseudo names; the kernel
        // escapes only a newline (as \012), and no name here has one.
        path: if kind == KVME_TYPE_VNODE {
            vma.name.clone()
        } else {
            String::new()
        },
    }
}

// ---------------------------------------------------------------------------
// The consumer's side

/// One line of the consumer's output.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    start: u64,
    end: u64,
    protection: u32,
    resident: i64,
    private_resident: i64,
    kind: i32,
    flags: u32,
    path: String,
}

fn hex(field: &str) -> u64 {
    let digits = field.strip_prefix("0x").expect("0x before a hex field");
    u64::from_str_radix(digits, 16).expect("a hex field")
}

/// `start end protection resident private_resident type flags path`, one
/// space apart; the path runs to the end of the line.
fn parse_entries(stdout: &str) -> Vec<Entry> {
    let lines = stdout.strip_suffix('\n').unwrap_or(stdout);
    if lines.is_empty() {
        return Vec::new();
    }
    lines
        .split('\n')
        .map(|line| {
            let f: Vec<&str> = line.splitn(8, ' ').collect();
            assert_eq!(f.len(), 8, "a consumer line with 8 fields: {line:?}");
            Entry {
                start: hex(f[0]),
                end: hex(f[1]),
                protection: u32::try_from(hex(f[2])).expect("protection"),
                resident: f[3].parse().expect("resident"),
                private_resident: f[4].parse().expect("private_resident"),
                kind: f[5].parse().expect("type"),
                flags: u32::try_from(hex(f[6])).expect("flags"),
                path: f[7].to_owned(),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Comparing

/// One difference between the library and smaps.
struct Difference {
    text: String,
    /// Caused by other processes, not by the library: the private count of
    /// a file also mapped elsewhere.
    volatile: bool,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Every difference between `got` and what smaps says. `own` lists the
/// files only these tests map, whose counts nothing else can move.
fn differences(got: &[Entry], vmas: &[Vma], counts: bool, own: &[&Path]) -> Vec<Difference> {
    let page = page_size();
    let want: Vec<Entry> = vmas.iter().map(|v| expected(v, page, counts)).collect();
    let got_at: BTreeMap<u64, &Entry> = got.iter().map(|e| (e.start, e)).collect();
    let want_at: BTreeMap<u64, &Entry> = want.iter().map(|e| (e.start, e)).collect();
    let mut diffs = Vec::new();
    let mut fixed = |text: String| {
        diffs.push(Difference {
            text,
            volatile: false,
        })
    };
    if got.len() != want.len() {
        fixed(format!("{} entries, smaps has {}", got.len(), want.len()));
    }
    for (start, entry) in &got_at {
        if !want_at.contains_key(start) {
            fixed(format!("extra entry {entry:x?}"));
        }
    }
    for (start, vma) in &want_at {
        if !got_at.contains_key(start) {
            fixed(format!("missing entry {vma:x?}"));
        }
    }
    // Pages of a file, or of the kernel's own mappings, may also be mapped
    // by other processes; anonymous memory and these tests' files are not.
    let shared_with_others = |want: &Entry| match want.kind {
        KVME_TYPE_PHYS => true,
        KVME_TYPE_VNODE => !own.iter().any(|own| Path::new(&want.path) == *own),
        _ => false,
    };
    for (start, want) in &want_at {
        let Some(got) = got_at.get(start) else {
            continue;
        };
        let at = format!("{:#x}-{:#x} {}", want.start, want.end, want.path);
        let mut field = |name: &str, got: String, want: String, volatile: bool| {
            if got != want {
                diffs.push(Difference {
                    text: format!("{at}: {name} {got}, smaps says {want}"),
                    volatile,
                });
            }
        };
        field(
            "end",
            format!("{:#x}", got.end),
            format!("{:#x}", want.end),
            false,
        );
        field(
            "protection",
            format!("{:#x}", got.protection),
            format!("{:#x}", want.protection),
            false,
        );
        field(
            "resident",
            got.resident.to_string(),
            want.resident.to_string(),
            false,
        );
        field(
            "private_resident",
            got.private_resident.to_string(),
            want.private_resident.to_string(),
            shared_with_others(want),
        );
        field("type", got.kind.to_string(), want.kind.to_string(), false);
        field(
            "flags",
            format!("{:#x}", got.flags),
            format!("{:#x}", want.flags),
            false,
        );
        field(
            "path",
            format!("{:?}", got.path),
            format!("{:?}", want.path),
            false,
        );
    }
    diffs
}

/// Takes `snapshot` (the library's entries and smaps of the same stopped
/// process) until the two agree; retakes it only when every difference is
/// volatile, and fails on the first that is not, or after `ATTEMPTS`.
fn assert_agree(
    what: &str,
    counts: bool,
    own: &[&Path],
    mut snapshot: impl FnMut() -> (Vec<Entry>, Vec<Vma>),
) -> (Vec<Entry>, Vec<Vma>) {
    for attempt in 1..=ATTEMPTS {
        let (got, vmas) = snapshot();
        let diffs = differences(&got, &vmas, counts, own);
        if diffs.is_empty() {
            return (got, vmas);
        }
        let report = diffs
            .iter()
            .map(|d| format!("  {d}"))
            .collect::<Vec<_>>()
            .join("\n");
        if attempt == ATTEMPTS || diffs.iter().any(|d| !d.volatile) {
            panic!(
                "{what}: kinfo_getvmmap and /proc/PID/smaps disagree \
                 ({} differences, attempt {attempt}):\n{report}",
                diffs.len()
            );
        }
        let _ = writeln!(
            std::io::stderr(),
            "note: {what}: attempt {attempt}: only private counts of shared files \
             differ, which other processes move; again:\n{report}"
        );
    }
    unreachable!()
}

fn run_consumer(build: &Build, cmd_args: &[&str], skip_counts: bool) -> Output {
    let mut cmd = command(&build.consumer);
    cmd.args(cmd_args);
    if skip_counts {
        cmd.env("KINFO_VMMAP_SKIP_RESIDENT_COUNT", "1");
    }
    cmd.output().expect("run the consumer")
}

// ---------------------------------------------------------------------------
// The overlay headers

/// Builds `overlay_api.c` (compile-time checks of every name and value a
/// FreeBSD consumer uses) with `compiler` in every mode it is listed for,
/// with the overlay as -I and as -isystem; links it with -lkinfo_vmmap and
/// runs it.
fn check_overlay_api(build: &Build, compiler: &str, modes: &[&[&str]]) {
    for mode in modes {
        for option in ["-I", "-isystem"] {
            let exe = build.dir.join(format!(
                "overlay_api-{compiler}{}{option}",
                mode.concat().replace(['-', '='], "")
            ));
            let mut cc_args = args(*mode);
            cc_args.extend(args(STRICT));
            cc_args.extend(overlay_flags(option));
            cc_args.extend(args([
                c_source("overlay_api.c").as_os_str(),
                "-o".as_ref(),
                exe.as_os_str(),
            ]));
            cc_args.extend(link_flags(&build.lib_dir, "kinfo_vmmap"));
            must_compile(compiler, &cc_args);
            let _serial = serial();
            let status = command(&exe).status().expect("run overlay_api");
            assert!(status.success(), "{}: {status}", exe.display());
        }
    }
}

/// Checks that every C source in tests/linux builds with `compiler` too.
fn check_sources_build(build: &Build, compiler: &str) {
    for (source, extra) in [
        ("vmmap_consumer.c", &[][..]),
        ("vmmap_helper.c", &[][..]),
        ("preload_consumer.c", &[][..]),
        ("libutil_stand_in.c", &["-fPIC"][..]),
    ] {
        let mut cc_args = args(PROGRAM);
        cc_args.extend(args(STRICT));
        cc_args.extend(args(extra));
        cc_args.extend(overlay_flags("-I"));
        cc_args.extend(args([
            "-c".as_ref(),
            c_source(source).as_os_str(),
            "-o".as_ref(),
            build.dir.join(format!("{source}-{compiler}.o")).as_os_str(),
        ]));
        must_compile(compiler, &cc_args);
    }
}

const C_MODES: [&[&str]; 2] = [&["-std=c11"], &["-std=c17"]];
const CXX_MODES: [&[&str]; 2] = [&["-x", "c++", "-std=c++11"], &["-x", "c++", "-std=c++17"]];

#[test]
fn overlay_builds_freebsd_code_with_gcc_as_c_and_cxx() {
    let test = "overlay_builds_freebsd_code_with_gcc_as_c_and_cxx";
    let Some(build) = build(test) else { return };
    check_overlay_api(build, "cc", &C_MODES);
    if !tool_runs("c++") {
        return missing(test, "no C++ compiler (c++)");
    }
    check_overlay_api(build, "c++", &CXX_MODES);
}

#[test]
fn overlay_builds_freebsd_code_with_clang_as_c_and_cxx() {
    let test = "overlay_builds_freebsd_code_with_clang_as_c_and_cxx";
    let Some(build) = build(test) else { return };
    if !tool_runs("clang") || !tool_runs("clang++") {
        return missing(test, "no clang and clang++");
    }
    check_overlay_api(build, "clang", &C_MODES);
    check_overlay_api(build, "clang++", &CXX_MODES);
    check_sources_build(build, "clang");
}

#[test]
fn overlay_passes_a_system_libutil_h_through() {
    let test = "overlay_passes_a_system_libutil_h_through";
    let with_system_header = |extra: &[&str], system: bool| {
        let mut cc_args = args(extra);
        cc_args.extend(args(STRICT));
        cc_args.extend(overlay_flags("-I"));
        if system {
            // After the system's directories, where FreeBSD's would be.
            cc_args.push("-idirafter".into());
            cc_args.push(c_source("include-libutil").into());
        }
        cc_args.extend(args([
            "-DEXPECT_SYSTEM_LIBUTIL_H".as_ref(),
            "-fsyntax-only".as_ref(),
            c_source("overlay_api.c").as_os_str(),
        ]));
        cc_args
    };
    for (compiler, mode) in [("cc", &["-std=c11"][..]), ("c++", CXX_MODES[0])] {
        if !tool_runs(compiler) {
            return missing(test, &format!("no {compiler}"));
        }
        must_compile(compiler, &with_system_header(mode, true));
        // The control: without the stand-in, the check must fail.
        let err = compile(compiler, &with_system_header(mode, false))
            .expect_err("overlay_api.c noticed no missing <libutil.h>");
        assert!(
            err.contains("did not pass the system's <libutil.h> through"),
            "{err}"
        );
    }
}

#[test]
fn overlay_builds_where_the_system_has_neither_header() {
    let test = "overlay_builds_where_the_system_has_neither_header";
    if !tool_runs("cc") {
        return missing(test, "no C compiler (cc)");
    }
    let mut compilers = vec!["cc"];
    if tool_runs("clang") {
        compilers.push("clang");
    }
    for compiler in compilers {
        // Only the compiler's own headers (stddef.h, stdint.h) and a
        // sys/types.h: no <sys/user.h>, no <libutil.h> to pass through.
        let output = Command::new(compiler)
            .arg("-print-file-name=include")
            .output()
            .expect("ask the compiler for its headers");
        let own_headers = String::from_utf8(output.stdout).expect("a path");
        let mut cc_args = args(["-std=c11", "-ffreestanding", "-nostdinc", "-isystem"]);
        cc_args.push(own_headers.trim().into());
        cc_args.push("-isystem".into());
        cc_args.push(c_source("sysroot-bare").into());
        cc_args.extend(args(STRICT));
        cc_args.extend(overlay_flags("-I"));
        cc_args.extend(args([
            "-fsyntax-only".as_ref(),
            c_source("overlay_api.c").as_os_str(),
        ]));
        must_compile(compiler, &cc_args);
    }
}

/// On FreeBSD the system headers define everything; the overlay must add
/// nothing that conflicts. zig cc carries FreeBSD's headers (see
/// scripts/setup.sh).
#[test]
fn overlay_composes_with_freebsd_headers() {
    let test = "overlay_composes_with_freebsd_headers";
    let Some(build) = build(test) else { return };
    let python = std::env::var_os("KINFO_VMMAP_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv/bin/python"));
    let zig_runs = Command::new(&python)
        .args(["-m", "ziglang", "version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !zig_runs {
        return missing(test, "no zig (run scripts/setup.sh)");
    }
    for mode in [&["-std=c11"][..], CXX_MODES[1]] {
        let mut cc_args = args(["-m", "ziglang", "cc", "-target", "x86_64-freebsd.14.0"]);
        cc_args.extend(args(mode));
        cc_args.extend(args(STRICT));
        cc_args.extend(overlay_flags("-I"));
        cc_args.extend(args([
            "-c".as_ref(),
            c_source("overlay_api.c").as_os_str(),
            "-o".as_ref(),
            build.dir.join("overlay_api-freebsd.o").as_os_str(),
        ]));
        let output = Command::new(&python)
            .args(&cc_args)
            .output()
            .expect("run zig cc");
        assert!(
            output.status.success(),
            "zig cc for FreeBSD:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

// ---------------------------------------------------------------------------
// LD_PRELOAD

#[test]
fn preloading_the_library_replaces_a_failing_libutil() {
    let test = "preloading_the_library_replaces_a_failing_libutil";
    let Some(build) = build(test) else { return };
    let _serial = serial();

    // The stand-in, under FreeBSD's soname, so that the program needs
    // libutil.so.9 exactly as it would on FreeBSD.
    let stand_in = build.dir.join("stand-in");
    fs::create_dir_all(&stand_in).expect("create stand-in/");
    let mut lib_args = args(PROGRAM);
    lib_args.extend(args(STRICT));
    lib_args.extend(overlay_flags("-I"));
    lib_args.extend(args([
        "-fPIC".as_ref(),
        "-shared".as_ref(),
        "-Wl,-soname,libutil.so.9".as_ref(),
        c_source("libutil_stand_in.c").as_os_str(),
        "-o".as_ref(),
        stand_in.join("libutil.so.9").as_os_str(),
    ]));
    must_compile("cc", &lib_args);
    let _ = fs::remove_file(stand_in.join("libutil.so"));
    std::os::unix::fs::symlink("libutil.so.9", stand_in.join("libutil.so")).expect("symlink");

    let program = build.dir.join("preload_consumer");
    let mut program_args = args(PROGRAM);
    program_args.extend(args(STRICT));
    program_args.extend(overlay_flags("-I"));
    program_args.extend(args([
        c_source("preload_consumer.c").as_os_str(),
        "-o".as_ref(),
        program.as_os_str(),
    ]));
    program_args.extend(link_flags(&stand_in, "util"));
    must_compile("cc", &program_args);

    let alone = command(&program).output().expect("run preload_consumer");
    assert_eq!(
        alone.status.code(),
        Some(2),
        "without the preload, the stand-in must fail: {alone:?}"
    );
    let stderr = String::from_utf8_lossy(&alone.stderr);
    assert!(
        stderr.contains(&format!("errno {} cnt 0", libc::ENOSYS)),
        "the stand-in's ENOSYS, with *cntp set to 0: {stderr}"
    );

    let preloaded = command(&program)
        .env("LD_PRELOAD", &build.library)
        .output()
        .expect("run preload_consumer");
    let stdout = stdout_of(&preloaded, "preload_consumer with LD_PRELOAD");
    let mut found: BTreeMap<&str, (u64, u64, u32, &str)> = BTreeMap::new();
    let mut count = 0;
    for line in stdout.lines() {
        let (what, rest) = line.split_once(' ').expect("a labelled line");
        match what {
            "count" => count = rest.parse().expect("a count"),
            "self" => assert_eq!(Path::new(rest), program, "argv[0] resolved"),
            _ => {
                let f: Vec<&str> = rest.splitn(4, ' ').collect();
                let protection = u32::try_from(hex(f[2])).expect("protection");
                found.insert(what, (hex(f[0]), hex(f[1]), protection, f[3]));
            }
        }
    }
    assert!(count > 0, "an empty map: {stdout}");
    let rw = KVME_PROT_READ | KVME_PROT_WRITE;
    let rx = KVME_PROT_READ | KVME_PROT_EXEC;
    for (what, prot, path) in [
        // Pseudo names are Linux's: FreeBSD's path is empty there.
        ("stack", rw, Path::new("")),
        ("heap", rw, Path::new("")),
        ("text", rx, program.as_path()),
        ("provider", rx, build.library.as_path()),
    ] {
        let (start, end, protection, got_path) = *found
            .get(what)
            .unwrap_or_else(|| panic!("no {what} line: {stdout}"));
        assert!(start < end, "{what}: {stdout}");
        assert_eq!(protection & 7, prot, "{what} protection: {stdout}");
        assert_eq!(Path::new(got_path), path, "{what} path: {stdout}");
    }
}

// ---------------------------------------------------------------------------
// Symbol versions
//
// freebsd-src main versions libutil's kinfo_getvmmap (`FBSD_1.8` in
// lib/libutil/Symbol.map), so a program linked there refers to
// `kinfo_getvmmap@FBSD_1.8`. This library defines the function with no
// version. FreeBSD's rtld (`matched_symbol` in libexec/rtld-elf/rtld.c)
// and glibc's ld.so (`check_match` in elf/dl-lookup.c) follow the same
// rule: a versioned reference is satisfied by a definition with the same
// version, or with none (no version table, or the base index), and
// refused by one with another named version. So glibc shows here what
// rtld does with a preloaded or relinked libkinfo_vmmap on FreeBSD.

/// The version node of the versioned libutil, as in freebsd-src main.
const LIBUTIL_VERSION: &str = "FBSD_1.8";

/// A file in `dir` holding `text`, for a linker version script.
fn version_script(dir: &Path, name: &str, text: &str) -> PathBuf {
    let script = dir.join(name);
    fs::write(&script, text).expect("write a version script");
    script
}

/// `libutil.so.9` whose `kinfo_getvmmap` is `kinfo_getvmmap@FBSD_1.8` and
/// fails with ENOSYS, in a directory of its own; built once.
fn versioned_stand_in(build: &Build) -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = build.dir.join("versioned-stand-in");
        fs::create_dir_all(&dir).expect("create versioned-stand-in/");
        let script = version_script(
            &dir,
            "Symbol.map",
            &format!("{LIBUTIL_VERSION} {{\n\tglobal: kinfo_getvmmap;\n\tlocal: *;\n}};\n"),
        );
        let mut lib_args = args(PROGRAM);
        lib_args.extend(args(STRICT));
        lib_args.extend(overlay_flags("-I"));
        lib_args.extend(args([
            "-fPIC".as_ref(),
            "-shared".as_ref(),
            "-Wl,-soname,libutil.so.9".as_ref(),
            OsString::from(format!("-Wl,--version-script={}", script.display())).as_os_str(),
            c_source("libutil_stand_in.c").as_os_str(),
            "-o".as_ref(),
            dir.join("libutil.so.9").as_os_str(),
        ]));
        must_compile("cc", &lib_args);
        let _ = fs::remove_file(dir.join("libutil.so"));
        std::os::unix::fs::symlink("libutil.so.9", dir.join("libutil.so")).expect("symlink");
        dir
    })
}

/// `preload_consumer` linked with `link` (the `-L`/`-l` flags, in order).
fn consumer_linked(build: &Build, name: &str, link: &[Vec<OsString>]) -> PathBuf {
    let program = build.dir.join(name);
    let mut program_args = args(PROGRAM);
    program_args.extend(args(STRICT));
    program_args.extend(overlay_flags("-I"));
    program_args.extend(args([
        c_source("preload_consumer.c").as_os_str(),
        "-o".as_ref(),
        program.as_os_str(),
    ]));
    for flags in link {
        program_args.extend(flags.iter().cloned());
    }
    must_compile("cc", &program_args);
    program
}

/// What the versioned-libutil tests need: the shared build, the stand-in
/// libutil, and the lock that keeps them from running beside the other
/// preload tests; `None` after a note when cc or readelf is missing.
fn with_versioned_libutil(
    test: &str,
) -> Option<(&'static Build, &'static Path, MutexGuard<'static, ()>)> {
    let build = build(test)?;
    if !tool_runs("readelf") {
        missing(test, "readelf is not installed");
        return None;
    }
    let serial = serial();
    Some((build, versioned_stand_in(build), serial))
}

/// The program's reference to `kinfo_getvmmap` as its dynamic symbol
/// table names it: `kinfo_getvmmap@VERSION`, or bare when unversioned.
fn reference(program: &Path) -> String {
    let output = Command::new("readelf")
        .args(["--dyn-syms", "-W"])
        .arg(program)
        .output()
        .expect("run readelf");
    let table = String::from_utf8_lossy(&output.stdout).into_owned();
    table
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                [_, _, _, _, _, _, "UND", name, ..] => Some((*name).to_owned()),
                _ => None,
            }
        })
        .find(|name| name == "kinfo_getvmmap" || name.starts_with("kinfo_getvmmap@"))
        .unwrap_or_else(|| {
            panic!(
                "{} does not refer to kinfo_getvmmap:\n{table}",
                program.display()
            )
        })
}

/// Which `kinfo_getvmmap` ran in `program` (with `preload`, if any): the
/// file holding it, or `None` when the stand-in's ENOSYS came back.
fn provider(program: &Path, preload: Option<&Path>) -> Option<PathBuf> {
    let mut cmd = command(program);
    if let Some(preload) = preload {
        cmd.env("LD_PRELOAD", preload);
    }
    let output = cmd.output().expect("run preload_consumer");
    if output.status.code() == Some(2) {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("errno {} cnt 0", libc::ENOSYS)),
            "only the stand-in may fail, with ENOSYS: {stderr}"
        );
        return None;
    }
    let stdout = stdout_of(&output, "preload_consumer");
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("provider "))
        .unwrap_or_else(|| panic!("no provider line: {stdout}"));
    Some(PathBuf::from(line.splitn(4, ' ').nth(3).expect("a path")))
}

#[test]
fn a_preloaded_unversioned_definition_wins_over_a_versioned_libutil() {
    let test = "a_preloaded_unversioned_definition_wins_over_a_versioned_libutil";
    let Some((build, stand_in, _serial)) = with_versioned_libutil(test) else {
        return;
    };
    let program = consumer_linked(build, "versioned_consumer", &[link_flags(stand_in, "util")]);
    assert_eq!(
        reference(&program),
        format!("kinfo_getvmmap@{LIBUTIL_VERSION}"),
        "linked against the versioned libutil, the program must ask for its version"
    );
    assert_eq!(
        provider(&program, None),
        None,
        "without the preload, libutil's runs"
    );
    assert_eq!(
        provider(&program, Some(&build.library)),
        Some(build.library.clone()),
        "the preloaded definition, with no version, must satisfy kinfo_getvmmap@{LIBUTIL_VERSION}"
    );

    // The control, and the reason the library carries no version: the
    // same code with a version node of its own, as a version script would
    // make it, is passed over for the versioned reference.
    let own = build.dir.join("own-version");
    fs::create_dir_all(&own).expect("create own-version/");
    let script = version_script(
        &own,
        "kinfo_vmmap.map",
        "KINFO_VMMAP_0 {\n\tglobal: kinfo_getvmmap; kinfo_vmmap_unpack;\n\tlocal: *;\n};\n",
    );
    let versioned = own.join("libkinfo_vmmap.so");
    must_compile(
        "cc",
        &args([
            // The archive's members that define the two functions, as a
            // program linked with -lkinfo_vmmap -static would take them.
            OsString::from("-shared"),
            "-Wl,-u,kinfo_getvmmap,-u,kinfo_vmmap_unpack".into(),
            built_library("libkinfo_vmmap.a").into(),
            format!("-Wl,--version-script={}", script.display()).into(),
            "-o".into(),
            versioned.clone().into(),
        ]),
    );
    assert_eq!(
        provider(&program, Some(&versioned)),
        None,
        "a definition versioned KINFO_VMMAP_0 must not satisfy kinfo_getvmmap@{LIBUTIL_VERSION}"
    );
}

#[test]
fn link_order_decides_between_this_library_and_a_versioned_libutil() {
    let test = "link_order_decides_between_this_library_and_a_versioned_libutil";
    let Some((build, stand_in, _serial)) = with_versioned_libutil(test) else {
        return;
    };
    let ours = link_flags(&build.lib_dir, "kinfo_vmmap");
    let libutil = link_flags(stand_in, "util");

    let first = consumer_linked(build, "kinfo_vmmap_first", &[ours.clone(), libutil.clone()]);
    assert_eq!(
        reference(&first),
        "kinfo_getvmmap",
        "bound to the unversioned definition"
    );
    assert_eq!(provider(&first, None), Some(build.library.clone()));

    let last = consumer_linked(build, "kinfo_vmmap_last", &[libutil, ours]);
    assert_eq!(
        reference(&last),
        format!("kinfo_getvmmap@{LIBUTIL_VERSION}")
    );
    assert_eq!(
        provider(&last, None),
        None,
        "-lutil before -lkinfo_vmmap gives libutil's, silently"
    );
}

// ---------------------------------------------------------------------------
// Real processes against smaps

#[test]
fn own_map_matches_smaps() {
    let test = "own_map_matches_smaps";
    let Some(build) = build(test) else { return };
    let _serial = serial();
    let own = [build.consumer.as_path(), build.library.as_path()];
    let (got, _) = assert_agree("the consumer's own map", true, &own, || {
        let mut consumer = command(&build.consumer);
        consumer.arg("self");
        let mut stopped = Stopped::spawn(consumer);
        let vmas = read_smaps(stopped.pid());
        let output = stopped.resume();
        (
            parse_entries(&stdout_of(&output, "vmmap_consumer self")),
            vmas,
        )
    });
    // The library found itself and the consumer, by path.
    for own in own {
        assert!(
            got.iter().any(|e| Path::new(&e.path) == own),
            "{} is not in the map",
            own.display()
        );
    }
}

#[test]
fn thousands_of_mappings_match_smaps() {
    let test = "thousands_of_mappings_match_smaps";
    let Some(build) = build(test) else { return };
    let Some(helper) = helper(test, build) else {
        return;
    };
    let _serial = serial();
    let mut target = command(&helper);
    target.args(["-n", &MANY_PAGES.to_string()]);
    let target = Stopped::spawn(target);
    let pid = target.pid().to_string();
    let before = read_smaps(target.pid());
    let (got, vmas) = assert_agree("a map of thousands of entries", true, &[&helper], || {
        let output = run_consumer(build, &["pid", &pid], false);
        let entries = parse_entries(&stdout_of(&output, "vmmap_consumer pid"));
        (entries, read_smaps(target.pid()))
    });
    assert_eq!(before, vmas, "the stopped helper's smaps changed");

    // And against what the helper did, independently of smaps: one entry
    // per page, alternately read-write and read-only, every third page
    // written and so resident and private (the pages that were only read
    // map the shared zero page, which is not counted), the first wired and
    // the fourth kept out of core dumps.
    let page = page_size();
    let first = got
        .windows(MANY_PAGES)
        .position(|run| {
            run.iter().enumerate().all(|(i, e)| {
                let prot = if i % 2 == 0 {
                    KVME_PROT_READ | KVME_PROT_WRITE
                } else {
                    KVME_PROT_READ
                };
                e.end - e.start == page && e.protection & 7 == prot && e.path.is_empty()
            })
        })
        .expect("no run of one-page entries with alternating protection");
    let run = &got[first..first + MANY_PAGES];
    for (i, e) in run.iter().enumerate() {
        assert_eq!(
            e.start,
            run[0].start + i as u64 * page,
            "page {i} is not adjacent"
        );
        let written = i64::from(i % 3 == 0);
        assert_eq!(
            (e.resident, e.private_resident),
            (written, written),
            "page {i}: {e:x?}"
        );
        assert_eq!(e.kind, KVME_TYPE_SWAP, "page {i}");
        let special = match i {
            0 => KVME_FLAG_USER_WIRED,
            3 => KVME_FLAG_NOCOREDUMP,
            _ => 0,
        };
        assert_eq!(e.flags, KVME_FLAG_COW | special, "page {i}: {e:x?}");
    }
}

/// A file whose path has spaces, one of them doubled and one at the end,
/// mapped shared and private.
#[test]
fn a_file_with_spaces_in_its_path_matches_smaps() {
    let test = "a_file_with_spaces_in_its_path_matches_smaps";
    let Some(build) = build(test) else { return };
    let Some(helper) = helper(test, build) else {
        return;
    };
    let _serial = serial();
    let dir = build.dir.join("a dir with spaces");
    fs::create_dir_all(&dir).expect("create the directory");
    let file = dir.join("mapped  file ");
    let page = usize::try_from(page_size()).expect("a page size");
    fs::write(&file, vec![0x5a; 4 * page]).expect("write the file");

    let mut target = command(&helper);
    target.arg("-f").arg(&file);
    let target = Stopped::spawn(target);
    let pid = target.pid().to_string();
    let (got, _) = assert_agree(
        "a file with spaces in its path",
        true,
        &[&helper, &file],
        || {
            let output = run_consumer(build, &["pid", &pid], false);
            let entries = parse_entries(&stdout_of(&output, "vmmap_consumer pid"));
            (entries, read_smaps(target.pid()))
        },
    );
    let file_str = file.to_str().expect("a UTF-8 path");
    let mapped: Vec<&Entry> = got.iter().filter(|e| e.path == file_str).collect();
    assert_eq!(mapped.len(), 2, "two mappings of {file_str:?}: {got:#x?}");
    for e in &mapped {
        assert_eq!(e.kind, KVME_TYPE_VNODE, "{e:x?}");
    }
    // The private mapping holds the written page as a private copy.
    let private = mapped
        .iter()
        .find(|e| e.flags & KVME_FLAG_COW != 0)
        .expect("the private mapping");
    assert!(private.private_resident >= 1, "{private:x?}");
}

/// Without resident counts the library reads `maps`: the same entries,
/// counts 0 and no maximum protections.
#[test]
fn skipping_resident_counts_keeps_the_entries() {
    let test = "skipping_resident_counts_keeps_the_entries";
    let Some(build) = build(test) else { return };
    let Some(helper) = helper(test, build) else {
        return;
    };
    let _serial = serial();
    let mut target = command(&helper);
    target.args(["-n", "64"]);
    let target = Stopped::spawn(target);
    let pid = target.pid().to_string();
    let (got, _) = assert_agree("resident counts skipped", false, &[&helper], || {
        let output = run_consumer(build, &["pid", &pid], true);
        let entries = parse_entries(&stdout_of(&output, "vmmap_consumer pid"));
        (entries, read_smaps(target.pid()))
    });
    assert!(got.len() > 64, "{} entries", got.len());
}

// ---------------------------------------------------------------------------
// Failures

/// Runs the consumer's failure case and returns (errno, *cntp).
fn failure(build: &Build, case: &str) -> (i32, i32) {
    let _serial = serial();
    let output = run_consumer(build, &["errno", case], false);
    let stdout = stdout_of(&output, &format!("vmmap_consumer errno {case}"));
    let fields: Vec<&str> = stdout.split_whitespace().collect();
    match fields[..] {
        ["errno", errno, "cnt", cnt] => (
            errno.parse().expect("an errno"),
            cnt.parse().expect("a count"),
        ),
        _ => panic!("unexpected output: {stdout:?}"),
    }
}

#[test]
fn a_null_count_pointer_is_einval() {
    let Some(build) = build("a_null_count_pointer_is_einval") else {
        return;
    };
    // *cntp cannot be written, so the consumer's -1 stays.
    assert_eq!(failure(build, "null"), (libc::EINVAL, -1));
}

#[test]
fn pid_minus_one_is_esrch() {
    let Some(build) = build("pid_minus_one_is_esrch") else {
        return;
    };
    assert_eq!(failure(build, "minus-one"), (libc::ESRCH, 0));
}

#[test]
fn a_reaped_pid_is_esrch() {
    let Some(build) = build("a_reaped_pid_is_esrch") else {
        return;
    };
    assert_eq!(failure(build, "reaped"), (libc::ESRCH, 0));
}

#[test]
fn a_zombie_is_esrch() {
    let Some(build) = build("a_zombie_is_esrch") else {
        return;
    };
    assert_eq!(failure(build, "zombie"), (libc::ESRCH, 0));
}

#[test]
fn another_users_process_is_eperm() {
    let test = "another_users_process_is_eperm";
    let Some(build) = build(test) else { return };
    // The consumer gives up root for nobody before it asks about pid 1;
    // a caller that is not root asks as itself, which works only if pid 1
    // is not its own.
    // SAFETY: getuid and geteuid cannot fail.
    let (uid, euid) = unsafe { (libc::getuid(), libc::geteuid()) };
    if euid != 0 {
        let status = fs::read_to_string("/proc/1/status").unwrap_or_default();
        let owner = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().next())
            .and_then(|id| id.parse::<u32>().ok());
        if owner.is_none_or(|owner| owner == uid) {
            return missing(test, "pid 1 is this user's, and this user is not root");
        }
    }
    assert_eq!(failure(build, "other-user"), (libc::EPERM, 0));
}

// ---------------------------------------------------------------------------
// The reference itself

/// Two records as Linux 6.x prints them (fields trimmed), the second a
/// file whose name has a doubled and a trailing space.
const SMAPS_SAMPLE: &str = "\
7ffd3a5e1000-7ffd3a602000 rw-p 00000000 00:00 0                          [stack]
Size:                132 kB
Rss:                  12 kB
Private_Clean:         4 kB
Private_Dirty:         8 kB
AnonHugePages:         0 kB
VmFlags: rd wr mr mw me gd ac
7f0000000000-7f0000004000 r--s 00000000 08:01 1234                       /tmp/a dir/mapped  file 
Size:                 16 kB
Rss:                   8 kB
Shared_Clean:          4 kB
Private_Clean:         4 kB
Private_Dirty:         0 kB
VmFlags: rd sh mr me ms
";

#[test]
fn the_smaps_reference_reads_names_and_counts_exactly() {
    let vmas = parse_smaps(SMAPS_SAMPLE);
    assert_eq!(vmas.len(), 2);
    assert_eq!(vmas[0].name, "[stack]");
    assert_eq!(vmas[1].name, "/tmp/a dir/mapped  file ");
    assert_eq!(
        (vmas[1].start, vmas[1].end),
        (0x7f00_0000_0000, 0x7f00_0000_4000)
    );
    assert_eq!(vmas[1].inode, 1234);

    let page = 4096;
    let stack = expected(&vmas[0], page, true);
    assert_eq!((stack.resident, stack.private_resident), (3, 3));
    assert_eq!(
        stack.protection,
        KVME_PROT_READ
            | KVME_PROT_WRITE
            | KVME_MAX_PROT_READ
            | KVME_MAX_PROT_WRITE
            | KVME_MAX_PROT_EXEC
    );
    assert_eq!(stack.flags, KVME_FLAG_COW | KVME_FLAG_GROWS_DOWN);
    assert_eq!(stack.kind, KVME_TYPE_SWAP);

    let file = expected(&vmas[1], page, true);
    assert_eq!((file.resident, file.private_resident), (2, 1));
    assert_eq!(
        file.protection,
        KVME_PROT_READ | KVME_MAX_PROT_READ | KVME_MAX_PROT_EXEC
    );
    assert_eq!(file.flags, 0);
    assert_eq!(file.kind, KVME_TYPE_VNODE);

    let skipped = expected(&vmas[1], page, false);
    assert_eq!(
        (
            skipped.resident,
            skipped.private_resident,
            skipped.protection
        ),
        (0, 0, 1)
    );
}

#[test]
fn the_comparison_reports_every_kind_of_difference() {
    let vmas = parse_smaps(SMAPS_SAMPLE);
    let right: Vec<Entry> = vmas
        .iter()
        .map(|v| expected(v, page_size(), true))
        .collect();
    assert!(differences(&right, &vmas, true, &[]).is_empty());

    type Mutation = fn(&mut Vec<Entry>);
    let mutations: [(&str, Mutation); 9] = [
        ("end", |e| e[0].end += 1),
        ("protection", |e| e[0].protection &= !KVME_MAX_PROT_EXEC),
        ("resident", |e| e[0].resident += 1),
        ("private_resident", |e| e[0].private_resident -= 1),
        ("type", |e| e[1].kind = KVME_TYPE_SWAP),
        ("flags", |e| e[0].flags = KVME_FLAG_COW),
        ("path", |e| e[1].path = e[1].path.trim_end().to_owned()),
        ("missing entry", |e| {
            e.pop();
        }),
        ("extra entry", |e| {
            let mut extra = e[1].clone();
            extra.start += 0x10_0000;
            e.push(extra);
        }),
    ];
    for (what, mutate) in mutations {
        let mut wrong = right.clone();
        mutate(&mut wrong);
        let diffs = differences(&wrong, &vmas, true, &[]);
        assert!(
            diffs.iter().any(|d| d.text.contains(what) && !d.volatile),
            "{what} went unnoticed: {:?}",
            diffs.iter().map(|d| d.to_string()).collect::<Vec<_>>()
        );
    }

    // Only the private count of a file others may map is volatile, and
    // not when it is one of these tests' own files.
    let mut wrong = right.clone();
    wrong[1].private_resident += 1;
    let diffs = differences(&wrong, &vmas, true, &[]);
    assert!(diffs.len() == 1 && diffs[0].volatile);
    let own = Path::new("/tmp/a dir/mapped  file ");
    assert!(!differences(&wrong, &vmas, true, &[own])[0].volatile);
}
