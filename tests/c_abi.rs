//! The C face, driven from C programs compiled against the committed header
//! and linked to the built libraries, shared and static.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{build_release, built_library, have, root, run, scratch};

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
        // The C library and nothing else: not even the compiler's own
        // support library, which -nodefaultlibs leaves out.
        .args(["-nodefaultlibs", "-lc"]));
    assert_all_passed(&run(&mut program(&exe)));
}

/// The library built as shipped (release, `panic = "abort"`, no std), plus
/// one exported function that panics (`kinfo_vmmap_panic_probe`), in a
/// target directory of its own.
fn panic_probe_library() -> PathBuf {
    build_release("panic-probe", Some("--cfg kinfo_vmmap_panic_probe"))
}

#[test]
fn a_panic_prints_its_message_and_aborts() {
    use std::os::unix::process::ExitStatusExt;
    if !have("a_panic_prints_its_message_and_aborts", &["cc"]) {
        return;
    }
    let lib_dir = panic_probe_library();
    let source = scratch("c_abi").join("panic_probe.c");
    std::fs::write(
        &source,
        "#include <stdlib.h>\n\
         void kinfo_vmmap_panic_probe(size_t);\n\
         int main(int argc, char **argv) {\n\
         \t(void)argc;\n\
         \tkinfo_vmmap_panic_probe(strtoul(argv[1], NULL, 10));\n\
         \treturn 0;\n}\n",
    )
    .unwrap();
    let exe = scratch("c_abi").join("panic_probe");
    run(Command::new("cc")
        .args(STRICT)
        .arg("-o")
        .arg(&exe)
        .arg(&source)
        .arg(format!("-L{}", lib_dir.display()))
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .arg("-lkinfo_vmmap"));
    for (len, cut) in [(3, false), (2000, true)] {
        let output = program(&exe).arg(len.to_string()).output().unwrap();
        assert_eq!(output.status.signal(), Some(libc_sigabrt()), "{output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.starts_with("kinfo_vmmap: panicked at src/lib.rs:"),
            "{stderr:?}"
        );
        assert!(
            stderr.ends_with('\n') && stderr.matches('\n').count() == 1,
            "{stderr:?}"
        );
        if cut {
            // One line of at most 512 bytes, newline included.
            assert_eq!(stderr.len(), 512, "{stderr:?}");
            assert!(stderr.trim_end().ends_with("xxxx"), "{stderr:?}");
        } else {
            assert!(stderr.ends_with("probe xxx\n"), "{stderr:?}");
        }
    }
}

/// SIGABRT, the same on every system this runs on.
fn libc_sigabrt() -> i32 {
    6
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
