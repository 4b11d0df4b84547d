//! `struct kinfo_vmentry` and its constants checked against FreeBSD's own
//! `<sys/user.h>`, on every FreeBSD architecture zig carries headers for.
//!
//! The expected numbers are not typed here: each one is read off the Rust
//! definition at test time (`offset_of!`, `size_of_val`, the constants'
//! values) and written into a C file of `_Static_assert`s that includes the
//! real system headers, never this crate's header. Compiling that file for a
//! FreeBSD target is the check, so a disagreement is a compile error that
//! names the field. zig (`pip install ziglang`, see `scripts/setup.sh`) is
//! the C compiler because it ships FreeBSD's headers for every architecture.
//!
//! Alignment is not compared: the Rust numbers come from the host, and
//! i386 aligns `uint64_t` to 4, so only offsets, sizes and types are the
//! same everywhere.
//!
//! The generated `include/kinfo_vmmap.h` is then compiled for FreeBSD the
//! same way, once over the real `<sys/user.h>` and once over an older one
//! (`tests/freebsd/sys-user-13`, which lacks the constants FreeBSD added in
//! 14.x), with every constant used: on FreeBSD the header must add exactly
//! what the system lacks, with FreeBSD's values, and clash with nothing.

use std::io::Write as _;
use std::mem::{offset_of, size_of, size_of_val};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use kinfo_vmmap::abi::{self, kinfo_vmentry, kinfo_vmentry_type_spec};

/// zig's spellings of the FreeBSD targets whose headers it ships
/// (`zig targets`, the `libc` list), at the release whose headers it has.
const ZIG_TARGETS: &[&str] = &[
    "x86_64-freebsd.14.0",
    "x86-freebsd.14.0",
    "aarch64-freebsd.14.0",
    "arm-freebsd.14.0-eabihf",
    "powerpc64-freebsd.14.0",
    "powerpc64le-freebsd.14.0",
    "riscv64-freebsd.14.0",
];

/// One member of `struct kinfo_vmentry` as C names it, with what Rust says
/// about it.
struct Field {
    c_name: &'static str,
    offset: usize,
    size: usize,
    /// The C type `_Generic` must see; `None` for the anonymous union.
    c_type: Option<&'static str>,
}

/// The C type that a Rust field of this type stands for.
trait CType {
    const NAME: Option<&'static str>;
}
impl CType for i32 {
    // `c_int` on every FreeBSD architecture.
    const NAME: Option<&'static str> = Some("int");
}
impl CType for u16 {
    const NAME: Option<&'static str> = Some("uint16_t");
}
impl CType for u32 {
    const NAME: Option<&'static str> = Some("uint32_t");
}
impl CType for u64 {
    const NAME: Option<&'static str> = Some("uint64_t");
}
// `_Generic` sees an array member after its decay to a pointer; the length
// is covered by the size check.
impl<const N: usize> CType for [i32; N] {
    const NAME: Option<&'static str> = Some("int *");
}
impl<const N: usize> CType for [core::ffi::c_char; N] {
    // `char` is its own type in C, whatever its signedness.
    const NAME: Option<&'static str> = Some("char *");
}
impl CType for kinfo_vmentry_type_spec {
    const NAME: Option<&'static str> = None;
}

fn c_type_of<T: CType>(_: &T) -> Option<&'static str> {
    T::NAME
}

/// Every member of the struct, plus the two union members C reaches through
/// the `kve_vn_fsid` and `kve_obj` macros.
fn fields() -> Vec<Field> {
    let entry = kinfo_vmentry::zeroed();
    macro_rules! field {
        ($name:ident) => {
            Field {
                c_name: stringify!($name),
                offset: offset_of!(kinfo_vmentry, $name),
                size: size_of_val(&entry.$name),
                c_type: c_type_of(&entry.$name),
            }
        };
        ($name:ident = $($path:ident).+) => {
            Field {
                c_name: stringify!($name),
                offset: offset_of!(kinfo_vmentry, $($path).+),
                size: size_of_val(&entry.$name()),
                c_type: c_type_of(&entry.$name()),
            }
        };
    }
    vec![
        field!(kve_structsize),
        field!(kve_type),
        field!(kve_start),
        field!(kve_end),
        field!(kve_offset),
        field!(kve_vn_fileid),
        field!(kve_vn_fsid_freebsd11),
        field!(kve_flags),
        field!(kve_resident),
        field!(kve_private_resident),
        field!(kve_protection),
        field!(kve_ref_count),
        field!(kve_shadow_count),
        field!(kve_vn_type),
        field!(kve_vn_size),
        field!(kve_vn_rdev_freebsd11),
        field!(kve_vn_mode),
        field!(kve_status),
        field!(kve_type_spec),
        field!(kve_vn_fsid = kve_type_spec._kve_vn_fsid),
        field!(kve_obj = kve_type_spec._kve_obj),
        field!(kve_vn_rdev),
        field!(_kve_ispare),
        field!(kve_path),
    ]
}

/// The macros that aren't members of their own.
const MACRO_FIELDS: &[&str] = &["kve_vn_fsid", "kve_obj"];

/// A constant of `<sys/user.h>` and its Rust value.
struct Constant {
    name: &'static str,
    value: i64,
    /// Defined by FreeBSD on some architectures only.
    optional: bool,
}

fn constants() -> Vec<Constant> {
    macro_rules! constants {
        ($($name:ident),* $(,)?) => {
            vec![$(Constant { name: stringify!($name), value: i64::from(abi::$name), optional: false }),*]
        };
    }
    let mut constants = constants![
        KVME_TYPE_NONE,
        KVME_TYPE_DEFAULT,
        KVME_TYPE_VNODE,
        KVME_TYPE_SWAP,
        KVME_TYPE_DEVICE,
        KVME_TYPE_PHYS,
        KVME_TYPE_DEAD,
        KVME_TYPE_SG,
        KVME_TYPE_MGTDEVICE,
        KVME_TYPE_GUARD,
        KVME_TYPE_UNKNOWN,
        KVME_PROT_READ,
        KVME_PROT_WRITE,
        KVME_PROT_EXEC,
        KVME_MAX_PROT_READ,
        KVME_MAX_PROT_WRITE,
        KVME_MAX_PROT_EXEC,
        KVME_FLAG_COW,
        KVME_FLAG_NEEDS_COPY,
        KVME_FLAG_NOCOREDUMP,
        KVME_FLAG_SUPER,
        KVME_FLAG_GROWS_UP,
        KVME_FLAG_GROWS_DOWN,
        KVME_FLAG_USER_WIRED,
        KVME_FLAG_SYSVSHM,
        KVME_FLAG_POSIXSHM,
        KF_ATTR_VALID,
        KF_VTYPE_VNON,
        KF_VTYPE_VREG,
        KF_VTYPE_VDIR,
        KF_VTYPE_VBLK,
        KF_VTYPE_VCHR,
        KF_VTYPE_VLNK,
        KF_VTYPE_VSOCK,
        KF_VTYPE_VFIFO,
        KF_VTYPE_VBAD,
        KF_VTYPE_UNKNOWN,
    ];
    // <sys/user.h> defines it for amd64 and i386 only.
    constants.push(Constant {
        name: "KINFO_VMENTRY_SIZE",
        value: i64::from(abi::KINFO_VMENTRY_SIZE),
        optional: true,
    });
    constants
}

const PRELUDE: &str = "\
#include <sys/types.h>
#include <sys/user.h>

#include <stddef.h>
#include <stdint.h>

#ifndef __FreeBSD__
#error \"not compiled against FreeBSD's headers\"
#endif

#define KVE_MEMBER(m) (((struct kinfo_vmentry *)0)->m)
";

fn offset_assert(field: &Field, offset: usize) -> String {
    format!(
        "_Static_assert(offsetof(struct kinfo_vmentry, {name}) == {offset}, \
         \"offsetof {name} is not {offset}\");\n",
        name = field.c_name,
    )
}

/// The C file asserting everything `fields()` and `constants()` say.
fn layout_c() -> String {
    let mut c = String::from(PRELUDE);
    let size = size_of::<kinfo_vmentry>();
    c += &format!(
        "_Static_assert(sizeof(struct kinfo_vmentry) == {size}, \
         \"sizeof(struct kinfo_vmentry) is not {size}\");\n"
    );
    for field in fields() {
        let (name, size) = (field.c_name, field.size);
        c += &offset_assert(&field, field.offset);
        c += &format!(
            "_Static_assert(sizeof(KVE_MEMBER({name})) == {size}, \"sizeof {name} is not {size}\");\n"
        );
        if let Some(ty) = field.c_type {
            c += &format!(
                "_Static_assert(_Generic(KVE_MEMBER({name}), {ty}: 1, default: 0), \
                 \"{name} is not {ty}\");\n"
            );
        }
    }
    for constant in constants() {
        let (name, value) = (constant.name, constant.value);
        let check = format!("_Static_assert({name} == {value}, \"{name} is not {value}\");\n");
        if constant.optional {
            c += &format!("#ifdef {name}\n{check}#endif\n");
        } else {
            c += &format!("#ifndef {name}\n#error \"<sys/user.h> lacks {name}\"\n#endif\n{check}");
        }
    }
    c
}

/// How to run `zig cc`.
struct Zig {
    python: PathBuf,
}

impl Zig {
    /// The zig from the project's venv, or `None` (after saying so) when it
    /// isn't installed and this is not CI, where a skip would hide a gap.
    fn find() -> Option<Zig> {
        let python = std::env::var_os("KINFO_VMMAP_PYTHON").map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"),
            PathBuf::from,
        );
        if python.exists() {
            return Some(Zig { python });
        }
        let why = format!(
            "{} not found: run scripts/setup.sh or set KINFO_VMMAP_PYTHON",
            python.display()
        );
        if std::env::var_os("CI").is_some() {
            panic!("{why}");
        }
        // Written past the test harness's capture so that a skip is seen.
        let _ = writeln!(std::io::stderr(), "freebsd_layout: skipped, {why}");
        None
    }

    fn cc(&self, target: &str) -> Command {
        let mut cmd = Command::new(&self.python);
        cmd.args(["-m", "ziglang", "cc", "-target", target]);
        cmd.stdin(Stdio::null());
        cmd
    }

    /// Compiles `source` to an object file for `target`.
    fn compile(&self, source: &Path, target: &str) -> Output {
        self.compile_with(source, target, &[])
    }

    /// Compiles `source` for `target` with `includes` searched, in order,
    /// before the system's headers.
    fn compile_with(&self, source: &Path, target: &str, includes: &[PathBuf]) -> Output {
        self.cc(target)
            .args(includes.iter().map(|dir| format!("-I{}", dir.display())))
            .arg("-c")
            .arg("-o")
            .arg(source.with_extension(format!("{target}.o")))
            .arg(source)
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", self.python.display()))
    }

    /// Every `KVME_*` and `KF_VTYPE_*` macro, and `KINFO_VMENTRY_SIZE`,
    /// that `source` sees for `target`, with `includes` searched first.
    fn vmentry_macros(&self, source: &Path, target: &str, includes: &[PathBuf]) -> Vec<String> {
        let output = self
            .cc(target)
            .args(includes.iter().map(|dir| format!("-I{}", dir.display())))
            .args(["-E", "-dM"])
            .arg(source)
            .output()
            .expect("zig cc runs");
        assert!(
            output.status.success(),
            "preprocessing <sys/user.h> for {target} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let macros: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| line.strip_prefix("#define "))
            .filter_map(|line| line.split_whitespace().next())
            .filter(|name| {
                name.starts_with("KVME_")
                    || name.starts_with("KF_VTYPE_")
                    || *name == "KINFO_VMENTRY_SIZE"
            })
            .map(str::to_owned)
            .collect();
        // An empty list would make the completeness check pass vacuously.
        assert!(
            macros.iter().any(|name| name.starts_with("KVME_"))
                && macros.iter().any(|name| name.starts_with("KF_VTYPE_")),
            "no KVME_* or KF_VTYPE_* macros in <sys/user.h> for {target}"
        );
        macros
    }
}

/// A scratch file under cargo's per-test temporary directory.
fn scratch(name: &str, contents: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("freebsd_layout");
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write the scratch file");
    path
}

#[test]
fn fields_cover_the_whole_struct() {
    let mut members: Vec<Field> = fields()
        .into_iter()
        .filter(|f| !MACRO_FIELDS.contains(&f.c_name))
        .collect();
    members.sort_by_key(|f| f.offset);
    let mut end = 0;
    for field in &members {
        assert_eq!(
            field.offset, end,
            "a member before {} is missing from fields()",
            field.c_name
        );
        end += field.size;
    }
    assert_eq!(
        end,
        size_of::<kinfo_vmentry>(),
        "a member after kve_path is missing from fields()"
    );
}

#[test]
fn layout_matches_freebsd_headers() {
    let Some(zig) = Zig::find() else { return };
    let source = scratch("layout.c", &layout_c());
    let mut failures = Vec::new();
    for target in ZIG_TARGETS {
        let output = zig.compile(&source, target);
        if !output.status.success() {
            failures.push(format!(
                "{target}:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "kinfo_vmmap::abi disagrees with FreeBSD's <sys/user.h> ({}):\n{}",
        source.display(),
        failures.join("\n")
    );

    let known: Vec<&str> = constants().iter().map(|c| c.name).collect();
    for target in ZIG_TARGETS {
        let missing: Vec<String> = zig
            .vmentry_macros(&source, target, &[])
            .into_iter()
            .filter(|name| !known.contains(&name.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "<sys/user.h> for {target} defines {missing:?}, which kinfo_vmmap::abi lacks \
             or this test does not check"
        );
    }
}

/// The check above passes only because the assertions hold: one that
/// doesn't must stop the compile.
#[test]
fn a_wrong_layout_fails_to_compile() {
    let Some(zig) = Zig::find() else { return };
    let field = fields()
        .into_iter()
        .find(|f| f.c_name == "kve_start")
        .expect("kve_start");
    let right = scratch(
        "right.c",
        &(String::from(PRELUDE) + &offset_assert(&field, field.offset)),
    );
    let wrong = scratch(
        "wrong.c",
        &(String::from(PRELUDE) + &offset_assert(&field, field.offset + 1)),
    );
    let (right, wrong) = (
        zig.compile(&right, ZIG_TARGETS[0]),
        zig.compile(&wrong, ZIG_TARGETS[0]),
    );
    assert!(
        right.status.success(),
        "the true assertion failed to compile:\n{}",
        String::from_utf8_lossy(&right.stderr)
    );
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        !wrong.status.success(),
        "a false offset of kve_start compiled"
    );
    assert!(
        stderr.contains("static assertion failed") && stderr.contains("offsetof kve_start"),
        "the false offset failed for another reason:\n{stderr}"
    );
}

/// The constants a FreeBSD 13.x `<sys/user.h>` lacks, which the fixture
/// leaves out and the header must back-fill.
const ADDED_IN_14: &[&str] = &[
    "KVME_TYPE_GUARD",
    "KVME_MAX_PROT_READ",
    "KVME_MAX_PROT_WRITE",
    "KVME_MAX_PROT_EXEC",
    "KVME_FLAG_SYSVSHM",
    "KVME_FLAG_POSIXSHM",
];

/// A program that includes `<kinfo_vmmap.h>` on FreeBSD and uses every
/// constant, asserting the value FreeBSD gives it; `KINFO_VMENTRY_SIZE`
/// included, on every architecture.
fn header_user_c() -> String {
    let mut c = String::from(
        "#include <sys/types.h>\n\
         #include <kinfo_vmmap.h>\n\
         \n\
         #ifndef __FreeBSD__\n\
         #error \"not compiled against FreeBSD's headers\"\n\
         #endif\n",
    );
    c += "_Static_assert(sizeof(struct kinfo_vmentry) == KINFO_VMENTRY_SIZE, \
          \"KINFO_VMENTRY_SIZE is not the struct's size\");\n";
    for constant in constants() {
        let (name, value) = (constant.name, constant.value);
        c += &format!("_Static_assert({name} == {value}, \"{name} is not {value}\");\n");
    }
    c
}

/// The generated header adds to each `<sys/user.h>`, the current one and
/// one from before 14.x, exactly the constants it lacks: a program using
/// them all compiles on every architecture, and a redefinition with
/// another value would be an error.
#[test]
fn the_header_back_fills_what_freebsd_lacks() {
    let Some(zig) = Zig::find() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let include = root.join("include");
    let older = root.join("tests/freebsd/sys-user-13");
    let source = scratch("header_user.c", &header_user_c());
    let plain = scratch(
        "sys_user.c",
        "#include <sys/types.h>\n#include <sys/user.h>\n",
    );
    let mut failures = Vec::new();
    for target in ZIG_TARGETS {
        // The fixture really lacks them, or the older case proves nothing.
        let defined = zig.vmentry_macros(&plain, target, std::slice::from_ref(&older));
        let present: Vec<&&str> = ADDED_IN_14
            .iter()
            .filter(|name| defined.iter().any(|d| d == **name))
            .collect();
        assert!(
            present.is_empty(),
            "{} defines {present:?} for {target}",
            older.display()
        );
        for (what, includes) in [
            ("current", vec![include.clone()]),
            ("13.x", vec![older.clone(), include.clone()]),
        ] {
            let output = zig.compile_with(&source, target, &includes);
            if !output.status.success() {
                failures.push(format!(
                    "{target}, {what} <sys/user.h>:\n{}",
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "include/kinfo_vmmap.h fails on FreeBSD ({}):\n{}",
        source.display(),
        failures.join("\n")
    );
}
