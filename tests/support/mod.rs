//! Shared by the tests that compile C programs against the built library.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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

/// The cdylib this test binary was built with.
///
/// Integration tests are not told where it is. cargo builds the library,
/// with all its crate types, as a dependency of the test binary, and leaves
/// the cdylib and the staticlib beside it in `target/<profile>/deps/`
/// without a hash in their names. Those copies are rebuilt by every
/// `cargo test` that needs them, before any test runs. The copies one level
/// up, in `target/<profile>/`, are not: cargo puts them there only when the
/// library itself is what was asked for, as in `cargo build`, so under
/// `cargo test` they may be stale or absent. The `deps` copies are built
/// with `panic = "unwind"` like every test dependency, which the C face
/// allows for (it catches panics); their ABI is the same.
pub fn built_library(file: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let deps = exe.parent().expect("the test binary is in a directory");
    let library = deps.join(file);
    assert!(
        library.is_file(),
        "{} is missing: cargo no longer builds the library beside the test binary",
        library.display()
    );
    library
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
