//! The C face under stress, from C: every allocation failing in turn, many
//! threads at once, and processes that change or exit while they are read.
//!
//! The C sources live in `tests/robust/`:
//! - `failing_malloc.c`, an `LD_PRELOAD` malloc family that fails the n-th
//!   allocation of a call and tracks what the call leaves allocated, and
//!   `alloc_sweep.c`, which fails each allocation of each kind of call in
//!   turn: every one must end in NULL, ENOMEM and a count of 0, with
//!   nothing leaked; natively and under valgrind. The failed allocations
//!   are named (`addr2line`) and printed, with `--nocapture`.
//! - `threads.c`: 8 threads × 5,000 calls on one pid and on 8 pids, under
//!   LeakSanitizer; and a shorter run under valgrind, which also checks
//!   every read and write of the library (LeakSanitizer sees only leaks,
//!   and valgrind takes about 0.1 s a call on this debug build: the full
//!   run under valgrind is a command of its own, in the README).
//! - `race.c`: a child that maps, unmaps and reprotects without pause, read
//!   2,000 times, and 200 children that exit while they are read: every
//!   call returns a consistent map or ESRCH.
//!
//! Run with `cargo test --test robust -- --nocapture` to see the figures.
//! A missing tool (cc, valgrind, addr2line, LeakSanitizer's runtime)
//! fails the test under CI and skips it elsewhere.

#![cfg(target_os = "linux")]

mod support;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use support::{built_library, have, missing, root, run, scratch};

const STRICT: [&str; 7] = [
    "-std=c11",
    "-D_DEFAULT_SOURCE",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pedantic",
    "-g",
];

/// Threads, and calls per thread, of the concurrency runs.
const THREADS: usize = 8;
const CALLS: usize = 5_000;
/// Calls per thread under valgrind, in the test command.
const VALGRIND_CALLS: usize = 25;

/// Valgrind options: any error or leak fails the run. Its malloc stays
/// libc's alone, so that a preloaded malloc family is what the program
/// calls (and valgrind's is what that one calls).
const VALGRIND: [&str; 6] = [
    "--error-exitcode=99",
    "--leak-check=full",
    "--show-leak-kinds=definite,indirect,possible",
    "--errors-for-leak-kinds=definite,indirect,possible",
    "--soname-synonyms=somalloc=nouserintercepts",
    "--fair-sched=yes",
];

fn source(name: &str) -> PathBuf {
    root().join("tests/robust").join(name)
}

/// The programs, built once per test process.
struct Build {
    library: PathBuf,
    shim: PathBuf,
    sweep: PathBuf,
    threads: PathBuf,
    race: PathBuf,
}

fn build() -> &'static Build {
    static BUILD: OnceLock<Build> = OnceLock::new();
    BUILD.get_or_init(|| {
        let dir = scratch("robust");
        let library = built_library("libkinfo_vmmap.so");
        let lib_dir = library.parent().unwrap().to_owned();
        let link = |program: &str, extra: &[&str]| {
            let exe = dir.join(program);
            run(Command::new("cc")
                .args(STRICT)
                .args(["-O2", "-o"])
                .arg(&exe)
                .arg(source(&format!("{program}.c")))
                .arg("-I")
                .arg(root().join("include"))
                .arg(format!("-L{}", lib_dir.display()))
                .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
                .arg("-lkinfo_vmmap")
                .args(extra));
            exe
        };
        let shim = dir.join("failing_malloc.so");
        run(Command::new("cc")
            .args(STRICT)
            .args(["-O2", "-shared", "-fPIC", "-o"])
            .arg(&shim)
            .arg(source("failing_malloc.c")));
        Build {
            sweep: link("alloc_sweep", &["-ldl"]),
            threads: link("threads", &["-pthread"]),
            race: link("race", &[]),
            library,
            shim,
        }
    })
}

/// A command for a program under test: it finds the library through its
/// rpath, and reads resident counts unless told otherwise.
fn command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_remove("LD_LIBRARY_PATH")
        .env_remove("LD_PRELOAD")
        .env_remove("KINFO_VMMAP_SKIP_RESIDENT_COUNT");
    cmd
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `N passed, 0 failed` closes the program's output.
fn assert_all_passed(output: &Output) {
    let text = stdout(output);
    assert!(text.contains(" passed, 0 failed"), "{text}");
}

/// The lines of valgrind's summary, for the figures.
fn valgrind_summary(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| {
            l.contains("ERROR SUMMARY")
                || l.contains("in use at exit")
                || l.contains("total heap usage")
                || l.contains("definitely lost")
                || l.contains("All heap blocks were freed")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------
// Allocation failure

/// Where in the library each failed allocation was made: the innermost
/// two functions of the library on its stack, by `addr2line`.
fn name_sites(library: &Path, sweep: &str) -> BTreeMap<String, Vec<String>> {
    let mut sites: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in sweep.lines() {
        let mut words = line.split_whitespace();
        if words.next() != Some("site") {
            continue;
        }
        let case = words.next().unwrap().to_owned();
        let n = words.next().unwrap().to_owned();
        let offsets: Vec<&str> = words.collect();
        assert!(!offsets.is_empty(), "no frame in the library: {line}");
        let output = run(Command::new("addr2line")
            .args(["-f", "-C", "-i", "-e"])
            .arg(library)
            .args(&offsets));
        let names = stdout(&output);
        let ours: Vec<String> = names
            .lines()
            .collect::<Vec<_>>()
            .chunks(2)
            // The shipped library carries line tables only: functions by
            // their bare names, placed by their files.
            .filter(|pair| pair[1].contains("/kinfo-vmmap/src/"))
            .map(|pair| {
                let file = pair[1].rsplit("/src/").next().unwrap_or(pair[1]);
                format!("{} (src/{file})", pair[0])
            })
            .take(2)
            .collect();
        assert!(
            !ours.is_empty(),
            "no library function on the stack: {line}\n{names}"
        );
        sites
            .entry(ours.join(" <- "))
            .or_default()
            .push(format!("{case} #{n}"));
    }
    sites
}

#[test]
fn every_allocation_failure_is_enomem_with_nothing_leaked() {
    let test = "every_allocation_failure_is_enomem_with_nothing_leaked";
    if !have(test, &["cc", "addr2line"]) {
        return;
    }
    let build = build();
    let output = run(command(&build.sweep).env("LD_PRELOAD", &build.shim));
    assert_all_passed(&output);
    let text = stdout(&output);
    let cases: Vec<&str> = text.lines().filter(|l| l.starts_with("case ")).collect();
    for case in &cases {
        eprintln!("{case}");
    }
    // Each kind of call allocates, and had each allocation failed.
    for (case, least) in [
        ("getvmmap-self:", 3),
        ("getvmmap-self-skipping-counts:", 3),
        ("getvmmap-3000-entries:", 8),
        ("unpack-60-records:", 1),
        ("unpack-30000-records:", 1),
    ] {
        let line = cases.iter().find(|l| l.contains(case)).unwrap();
        let most: usize = line
            .split_whitespace()
            .nth(2)
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(most >= least, "{line}");
        assert!(
            line.contains(&format!("{most} failed with ENOMEM, 0 fell back")),
            "{line}"
        );
    }
    let sites = name_sites(&build.library, &text);
    eprintln!("{} allocation sites:", sites.len());
    for (site, failed) in &sites {
        eprintln!(
            "  {site}: {} failed calls ({})",
            failed.len(),
            failed.join(", ")
        );
    }
    // Linux: the array's first allocation (malloc for smaps, calloc at its
    // final size for maps) and its growth, the chunk buffer of smaps, the
    // whole-text buffer of maps and its growth, and the Linux names' two
    // vectors; the decoder's array, from malloc and from calloc.
    assert!(sites.len() >= 10, "{sites:#?}");
}

#[test]
fn the_allocation_sweep_is_clean_under_valgrind() {
    let test = "the_allocation_sweep_is_clean_under_valgrind";
    if !have(test, &["cc", "valgrind"]) {
        return;
    }
    let build = build();
    // LD_PRELOAD reaches the program through valgrind, after its own.
    let output = run(command("valgrind")
        .env("LD_PRELOAD", &build.shim)
        .args(VALGRIND)
        .arg(&build.sweep));
    assert_all_passed(&output);
    eprintln!("{}", valgrind_summary(&output));
}

// ---------------------------------------------------------------------------
// Concurrency

/// `threads.c` built with gcc's LeakSanitizer, once it has been seen to
/// catch a leak (or a clean run would prove nothing); `None` after a note
/// when it cannot be built.
fn threads_under_lsan(test: &str) -> Option<&'static Path> {
    static EXE: OnceLock<Result<PathBuf, &'static str>> = OnceLock::new();
    let built = EXE.get_or_init(|| {
        let dir = scratch("robust");
        let leak = dir.join("leak.c");
        std::fs::write(
            &leak,
            "#include <stdlib.h>\nvoid *volatile p;\n\
             int main(void) { p = malloc(7); p = 0; return 0; }\n",
        )
        .unwrap();
        let leaker = dir.join("leak");
        let linked = Command::new("cc")
            .args(["-fsanitize=leak", "-o"])
            .arg(&leaker)
            .arg(&leak)
            .output()
            .unwrap();
        if !linked.status.success() {
            return Err("cc -fsanitize=leak does not link (liblsan0)");
        }
        let ran = command(&leaker).output().unwrap();
        let report = String::from_utf8_lossy(&ran.stderr);
        assert!(
            !ran.status.success() && report.contains("detected memory leaks"),
            "LeakSanitizer missed a leak: {report}"
        );

        let exe = dir.join("threads-lsan");
        let lib_dir = build().library.parent().unwrap().to_owned();
        run(Command::new("cc")
            .args(STRICT)
            .args(["-O2", "-fsanitize=leak", "-pthread", "-o"])
            .arg(&exe)
            .arg(source("threads.c"))
            .arg("-I")
            .arg(root().join("include"))
            .arg(format!("-L{}", lib_dir.display()))
            .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
            .arg("-lkinfo_vmmap"));
        Ok(exe)
    });
    match built {
        Ok(exe) => Some(exe),
        Err(why) => {
            missing(test, why);
            None
        }
    }
}

/// 8 threads × 5,000 calls, under LeakSanitizer.
fn threads_without_leaks(test: &str, mode: &str) {
    if !have(test, &["cc"]) {
        return;
    }
    let Some(exe) = threads_under_lsan(test) else {
        return;
    };
    let output = run(command(exe).env("LSAN_OPTIONS", "exitcode=23").args([
        mode,
        &THREADS.to_string(),
        &CALLS.to_string(),
    ]));
    let text = stdout(&output);
    eprintln!("LeakSanitizer: {}", text.trim());
    let want = format!("{} returned maps, 0 failed", THREADS * CALLS);
    assert!(text.contains(&want), "{text}");
}

#[test]
fn eight_threads_on_the_same_pid_leak_nothing() {
    threads_without_leaks("eight_threads_on_the_same_pid_leak_nothing", "same");
}

#[test]
fn eight_threads_on_different_pids_leak_nothing() {
    threads_without_leaks("eight_threads_on_different_pids_leak_nothing", "different");
}

#[test]
fn threads_are_clean_under_valgrind() {
    let test = "threads_are_clean_under_valgrind";
    if !have(test, &["cc", "valgrind"]) {
        return;
    }
    let build = build();
    for mode in ["same", "different"] {
        let output = run(command("valgrind")
            .args(VALGRIND)
            .arg(&build.threads)
            .args([mode, &THREADS.to_string(), &VALGRIND_CALLS.to_string()]));
        let text = stdout(&output);
        let want = format!("{} returned maps, 0 failed", THREADS * VALGRIND_CALLS);
        assert!(text.contains(&want), "{text}");
        eprintln!("valgrind: {}\n{}", text.trim(), valgrind_summary(&output));
    }
}

// ---------------------------------------------------------------------------
// Targets that change while they are read

#[test]
fn a_map_that_changes_while_it_is_read_is_never_torn() {
    if !have("a_map_that_changes_while_it_is_read_is_never_torn", &["cc"]) {
        return;
    }
    let output = run(command(&build().race).args(["churn", "2000"]));
    let text = stdout(&output);
    eprintln!("{}", text.trim());
    assert!(
        text.contains("2000 maps") && text.contains("0 failed"),
        "{text}"
    );
}

#[test]
fn a_process_that_exits_while_it_is_read_is_consistent_or_esrch() {
    if !have(
        "a_process_that_exits_while_it_is_read_is_consistent_or_esrch",
        &["cc"],
    ) {
        return;
    }
    let output = run(command(&build().race).args(["exit", "200"]));
    let text = stdout(&output);
    eprintln!("{}", text.trim());
    // Each child ends as a zombie (ESRCH), then a reaped pid (ESRCH).
    assert!(text.contains("400 ESRCH, 0 failed"), "{text}");
}
