//! The C face, driven from C programs compiled against the committed header
//! and linked to the built libraries, shared and static.

mod support;

use std::path::Path;
use std::process::Command;

use support::{cc_shared, have, library_dir, manifest_dir, run, scratch};

fn unpack_source() -> std::path::PathBuf {
    manifest_dir().join("tests/c/unpack.c")
}

fn assert_all_passed(output: &std::process::Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn unpack_from_c_against_the_shared_library() {
    if !have("cc", "compiles the C programs") {
        return;
    }
    let exe = scratch("c_abi").join("unpack");
    cc_shared(&[&unpack_source()], &exe, &["-D_DEFAULT_SOURCE"]);
    assert_all_passed(&run(&mut Command::new(&exe)));
}

#[test]
fn unpack_from_c_against_the_static_library() {
    if !have("cc", "compiles the C programs") {
        return;
    }
    let exe = scratch("c_abi").join("unpack-static");
    let archive = library_dir().join("libkinfo_vmmap.a");
    run(Command::new("cc")
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-D_DEFAULT_SOURCE",
            "-o",
        ])
        .arg(&exe)
        .arg(unpack_source())
        .arg("-I")
        .arg(manifest_dir().join("include"))
        .arg(&archive)
        .args(["-lpthread", "-ldl", "-lm"]));
    assert_all_passed(&run(&mut Command::new(&exe)));
}

/// Every malformed buffer sits in a heap block of exactly its size, so
/// memcheck flags any read past the end; it also flags any leak.
#[test]
fn malformed_buffers_read_nothing_past_the_end_under_valgrind() {
    if !have("cc", "compiles the C programs") || !have("valgrind", "checks memory accesses") {
        return;
    }
    let exe = scratch("c_abi").join("unpack-valgrind");
    cc_shared(&[&unpack_source()], &exe, &["-D_DEFAULT_SOURCE"]);
    let output = run(Command::new("valgrind")
        .args([
            "--quiet",
            "--error-exitcode=99",
            "--leak-check=full",
            "--show-leak-kinds=definite,indirect,possible",
            "--errors-for-leak-kinds=definite,indirect,possible",
        ])
        .arg(&exe));
    assert_all_passed(&output);
    assert!(Path::new(&exe).exists());
}
