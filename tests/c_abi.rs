//! The C face, driven from C programs compiled against the committed header
//! and linked to the built libraries, shared and static.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{built_library, have, root, run, scratch};

const STRICT: [&str; 6] = [
    "-std=c11",
    "-D_DEFAULT_SOURCE",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pedantic",
];

fn unpack_source() -> PathBuf {
    root().join("tests/c/unpack.c")
}

/// Builds `tests/c/unpack.c` against the shared library, run through its
/// rpath alone (cargo's LD_LIBRARY_PATH is removed by `program`).
fn build_shared(name: &str) -> PathBuf {
    let exe = scratch("c_abi").join(name);
    let lib_dir = built_library("libkinfo_vmmap.so")
        .parent()
        .unwrap()
        .to_owned();
    run(Command::new("cc")
        .args(STRICT)
        .arg("-g")
        .arg("-o")
        .arg(&exe)
        .arg(unpack_source())
        .arg("-I")
        .arg(root().join("include"))
        .arg(format!("-L{}", lib_dir.display()))
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .arg("-lkinfo_vmmap"));
    exe
}

fn program(exe: &Path) -> Command {
    let mut cmd = Command::new(exe);
    cmd.env_remove("LD_LIBRARY_PATH");
    cmd
}

fn assert_all_passed(output: &Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn unpack_from_c_against_the_shared_library() {
    if !have("unpack_from_c_against_the_shared_library", &["cc"]) {
        return;
    }
    let exe = build_shared("unpack");
    assert_all_passed(&run(&mut program(&exe)));
}

#[test]
fn unpack_from_c_against_the_static_library() {
    if !have("unpack_from_c_against_the_static_library", &["cc"]) {
        return;
    }
    let exe = scratch("c_abi").join("unpack-static");
    run(Command::new("cc")
        .args(STRICT)
        .arg("-o")
        .arg(&exe)
        .arg(unpack_source())
        .arg("-I")
        .arg(root().join("include"))
        .arg(built_library("libkinfo_vmmap.a"))
        .args(["-lpthread", "-ldl", "-lm"]));
    assert_all_passed(&run(&mut program(&exe)));
}

/// Every malformed buffer sits in a heap block of exactly its size, so
/// memcheck flags any read past the end; it also flags any leak.
#[test]
fn malformed_buffers_read_nothing_past_the_end_under_valgrind() {
    if !have(
        "malformed_buffers_read_nothing_past_the_end_under_valgrind",
        &["cc", "valgrind"],
    ) {
        return;
    }
    let exe = build_shared("unpack-valgrind");
    let mut cmd = program(Path::new("valgrind"));
    cmd.args([
        "--quiet",
        "--error-exitcode=99",
        "--leak-check=full",
        "--show-leak-kinds=definite,indirect,possible",
        "--errors-for-leak-kinds=definite,indirect,possible",
    ])
    .arg(&exe);
    assert_all_passed(&run(&mut cmd));
}
