//! Shared by the tests that compile C programs against the built library.
//!
//! `cargo test` builds the library only as an rlib for the tests, so the
//! cdylib and staticlib C programs link against are built here by a nested
//! `cargo build` into a target directory of their own (the outer cargo holds
//! the lock on the main one). It is incremental: cheap when nothing changed.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The directory holding a fresh `libkinfo_vmmap.so` and `libkinfo_vmmap.a`.
pub fn library_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let target = manifest_dir().join("target/c-tests");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--lib", "--quiet", "--target-dir"])
            .arg(&target)
            .current_dir(manifest_dir())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the C libraries failed");
        target.join("debug")
    })
}

/// Whether `tool` can be run. Missing tools fail the test under CI and
/// skip it elsewhere, with a note.
pub fn have(tool: &str, why: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required ({why}) but missing"
        );
        eprintln!("skipped: {tool} not found ({why})");
    }
    found
}

/// A scratch directory for one test's binaries.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs a command, failing the test with its output when it fails.
pub fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed with {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Compiles C sources into `out` with warnings as errors, against the
/// committed header and the shared library.
pub fn cc_shared(sources: &[&Path], out: &Path, extra: &[&str]) {
    let lib = library_dir();
    let mut cmd = Command::new("cc");
    cmd.args([
        "-std=c11",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-pedantic",
        "-g",
        "-o",
    ])
    .arg(out)
    .args(sources)
    .arg("-I")
    .arg(manifest_dir().join("include"))
    .args(extra)
    .arg(format!("-L{}", lib.display()))
    .arg(format!("-Wl,-rpath,{}", lib.display()))
    .arg("-lkinfo_vmmap");
    run(&mut cmd);
}
