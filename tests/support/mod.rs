//! Shared by the tests that compile C programs against the built library.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn under_ci() -> bool {
    std::env::var_os("CI").is_some()
}

/// Ends a test whose prerequisite is missing: a failure under CI, where a
/// skip would hide a gap, and a note and a pass elsewhere. Callers return
/// right after.
pub fn missing(test: &str, what: &str) {
    assert!(!under_ci(), "{test}: {what} (CI is set, so this fails)");
    // Written past the harness's capture, so that a skip is seen.
    let _ = writeln!(std::io::stderr(), "note: skipping {test}: {what}");
}

/// Whether `tool --version` runs.
pub fn tool_runs(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether every tool runs; when one does not, `missing` says so.
pub fn have(test: &str, tools: &[&str]) -> bool {
    match tools.iter().find(|tool| !tool_runs(tool)) {
        Some(tool) => {
            missing(test, &format!("{tool} is not installed"));
            false
        }
        None => true,
    }
}

/// A file of the shipped library, as `cargo build --release` makes it:
/// `libkinfo_vmmap.so` or `libkinfo_vmmap.a`, with `panic = "abort"`, no
/// std and LTO, exactly what is installed.
///
/// cargo builds the package's library for `cargo test` too, but with
/// unwinding and std, as every test dependency is built: a different
/// library from the one users get. So the first test that needs the
/// library builds the release one itself, in a target directory of its
/// own (`target/shipped`): in the outer `cargo test`'s it would wait for
/// that cargo's lock. Test binaries run one after another, and cargo's
/// lock on `target/shipped` serializes them if they ever overlap; after
/// the first build, the others find it fresh in a moment.
pub fn built_library(file: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let dir = BUILT.get_or_init(|| build_release("shipped", None));
    let library = dir.join(file);
    assert!(
        library.is_file(),
        "{} is missing after the build",
        library.display()
    );
    library
}

/// `cargo build --release` of the library into `target/<name>`, with
/// `rustflags` if given (and nothing of the outer `cargo test`'s own
/// flags); the directory that holds the libraries.
pub fn build_release(name: &str, rustflags: Option<&str>) -> PathBuf {
    let target_dir = root().join("target").join(name);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root())
        .args(["build", "--release", "--quiet", "--target-dir"])
        .arg(&target_dir)
        // The outer `cargo test` sets these for its own build; the
        // shipped library takes the profile as Cargo.toml gives it.
        .env_remove("CARGO_PROFILE_RELEASE_PANIC")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    if let Some(flags) = rustflags {
        command.env("RUSTFLAGS", flags);
    }
    run(&mut command);
    target_dir.join("release")
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
