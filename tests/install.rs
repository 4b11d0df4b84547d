//! The library installed as a C library, the way the README's "Install"
//! section and the FreeBSD port (`packaging/freebsd/`) install it: `cargo
//! cinstall` (cargo-c), then `packaging/overlay-pc.sh` for the second
//! pkg-config file, into scratch directories under `target/tmp/install/`.
//!
//! - A FreeBSD program (`tests/install/vmmap.c`) builds with nothing but
//!   `pkg-config --cflags --libs kinfo-vmmap-overlay`, and runs against the
//!   installed library, which it finds by its SONAME.
//! - The installed release library exports the C interface alone and stays
//!   small; the installed headers and manual pages are the committed ones.
//! - Installed with the port's arguments, the staged tree is exactly
//!   `packaging/freebsd/pkg-plist`, and the port's `Makefile.crates` lists
//!   the crates of `Cargo.lock`.
//!
//! cinstall builds in a target directory of its own, `target/cinstall`: on
//! the outer `cargo test`'s it would wait for that cargo's lock. Its first
//! run builds the release library from scratch (about a minute on two
//! cores); a later one relinks it when the prefix differs (seconds).
//!
//! cargo-c comes from `scripts/setup.sh`. A test whose tools are missing
//! (cargo-c, cc, pkg-config, readelf, strip) prints a note and passes,
//! unless `CI` is set.

#[path = "support/elf.rs"]
mod elf;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use support::{have, missing, root, run};

/// The prefix the port installs to, `${PREFIX}` in its Makefile.
const PORT_PREFIX: &str = "/usr/local";

/// What programs linked with `-lkinfo_vmmap` need: the major version
/// alone, for every 0.x.y (`version_suffix_components` in Cargo.toml).
const SONAME: &str = "libkinfo_vmmap.so.0";

/// The largest the installed shared library may be once stripped. It is
/// about 290 KiB on x86_64 Linux, most of it std's panic machinery (the
/// README's "Size" section, `packaging/measure-sizes.sh`); the budget
/// catches a dependency or a feature that adds tens of KiB more without
/// anyone deciding it should.
const STRIPPED_SIZE_BUDGET: u64 = 352 * 1024;

fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Whether everything these tests run is installed; when something is
/// not, `missing` says so.
fn prerequisites(test: &str) -> bool {
    if !have(test, &["cc", "pkg-config", "readelf", "strip"]) {
        return false;
    }
    let cargo_c = Command::new(cargo())
        .args(["cinstall", "--version"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !cargo_c {
        missing(
            test,
            "cargo-c (`cargo cinstall`) is not installed; scripts/setup.sh installs it",
        );
    }
    cargo_c
}

/// An empty directory under `target/tmp/install/`.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("install")
        .join(name);
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// `cargo cinstall ARGS`, then `packaging/overlay-pc.sh PKGCONFIGDIR`: the
/// two steps of every install.
fn install(args: &[OsString], pkgconfigdir: &Path) {
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target directory")
        .join("cinstall");
    let mut cinstall = Command::new(cargo());
    cinstall
        .arg("cinstall")
        .arg("--locked")
        .arg("--manifest-path")
        .arg(root().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir)
        .args(args);
    // Built as a user builds it, not with flags meant for the tests (a
    // sanitizer's, say).
    for flags in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
    ] {
        cinstall.env_remove(flags);
    }
    run(&mut cinstall);
    run(Command::new("sh")
        .arg(root().join("packaging/overlay-pc.sh"))
        .arg(pkgconfigdir));
}

/// The README's install, into a scratch prefix:
///
/// ```sh
/// cargo cinstall --release --prefix PREFIX --libdir lib
/// sh packaging/overlay-pc.sh PREFIX/lib/pkgconfig
/// ```
fn user_install() -> &'static Path {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let prefix = fresh_dir("prefix");
        install(
            &[
                "--release".into(),
                "--prefix".into(),
                prefix.clone().into(),
                "--libdir".into(),
                "lib".into(),
            ],
            &prefix.join("lib/pkgconfig"),
        );
        prefix
    })
}

/// The variables of `packaging/freebsd/Makefile`, continuation lines
/// joined and whitespace collapsed; targets and their commands are left
/// out.
fn port_makefile() -> BTreeMap<String, String> {
    let path = root().join("packaging/freebsd/Makefile");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.replace("\\\n", " ")
        .lines()
        .filter(|line| !line.starts_with(['\t', '#', '.']))
        .filter_map(|line| {
            let (name, value) = line.split_once('=')?;
            let name = name.trim_end_matches(['?', '+', ':']).trim();
            let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
            Some((name.to_owned(), value))
        })
        .collect()
}

/// The port's make commands, continuation lines joined and whitespace
/// collapsed.
fn port_commands() -> Vec<String> {
    let path = root().join("packaging/freebsd/Makefile");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.replace("\\\n", " ")
        .lines()
        .filter(|line| line.starts_with('\t'))
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The port's install, staged as the ports framework stages it: cinstall
/// with the Makefile's `CARGO_C_ARGS` and `--destdir`, then overlay-pc.sh.
/// Returns the staging directory; the files are under `PORT_PREFIX` in it.
fn port_install() -> &'static Path {
    static STAGE: OnceLock<PathBuf> = OnceLock::new();
    STAGE.get_or_init(|| {
        let makefile = port_makefile();
        let cargo_c_args = makefile
            .get("CARGO_C_ARGS")
            .expect("packaging/freebsd/Makefile sets CARGO_C_ARGS");
        let stage = fresh_dir("stage");
        let mut args: Vec<OsString> =
            vec!["--release".into(), "--destdir".into(), stage.clone().into()];
        args.extend(
            cargo_c_args
                .replace("${PREFIX}", PORT_PREFIX)
                .split_whitespace()
                .map(OsString::from),
        );
        let prefix = stage.join(PORT_PREFIX.trim_start_matches('/'));
        install(&args, &prefix.join("libdata/pkgconfig"));
        stage
    })
}

/// Every file and symbolic link under `dir`, as paths relative to it.
fn tree(dir: &Path) -> BTreeSet<String> {
    fn walk(dir: &Path, base: &Path, found: &mut BTreeSet<String>) {
        for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let kind = fs::symlink_metadata(&path).unwrap().file_type();
            if kind.is_dir() {
                walk(&path, base, found);
            } else {
                let relative = path.strip_prefix(base).unwrap();
                found.insert(relative.to_str().expect("UTF-8 path").to_owned());
            }
        }
    }
    let mut found = BTreeSet::new();
    walk(dir, dir, &mut found);
    found
}

fn pkg_config(prefix: &Path, args: &[&str]) -> Vec<String> {
    let output = run(Command::new("pkg-config")
        .args(args)
        .arg("kinfo-vmmap-overlay")
        .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"))
        .env_remove("PKG_CONFIG_LIBDIR")
        .env_remove("PKG_CONFIG_SYSROOT_DIR"));
    String::from_utf8(output.stdout)
        .unwrap()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_freebsd_program_builds_with_pkg_config_alone_and_runs() {
    let test = "a_freebsd_program_builds_with_pkg_config_alone_and_runs";
    if !prerequisites(test) {
        return;
    }
    let prefix = user_install();
    let include = prefix.join("include/kinfo_vmmap");

    // The flags the overlay headers document for an installed overlay.
    let cflags = pkg_config(prefix, &["--cflags"]);
    assert_eq!(
        cflags,
        [
            "-isystem".to_owned(),
            include.join("overlay").display().to_string(),
            format!("-I{}", include.display()),
        ]
    );
    let libs = pkg_config(prefix, &["--libs"]);
    assert_eq!(
        libs,
        [
            format!("-L{}", prefix.join("lib").display()),
            "-lkinfo_vmmap".to_owned(),
        ]
    );

    let exe = fresh_dir("program").join("vmmap");
    run(Command::new("cc")
        .args(["-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&exe)
        .arg(root().join("tests/install/vmmap.c"))
        .args(&cflags)
        .args(&libs));
    let library = prefix.join("lib").join(SONAME);
    let needed = elf::needed(&exe);
    assert!(
        needed.iter().any(|name| name == SONAME),
        "the program needs {needed:?}, not {SONAME}"
    );

    let output = run(Command::new(&exe).env("LD_LIBRARY_PATH", prefix.join("lib")));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let executable = |path: &Path| {
        let path = fs::canonicalize(path).unwrap();
        let path = path.to_str().unwrap();
        stdout.lines().any(|line| {
            let fields: Vec<&str> = line.splitn(4, ' ').collect();
            matches!(fields.as_slice(), [_, _, protection, p] if protection.contains('x') && *p == path)
        })
    };
    assert!(
        executable(&exe),
        "the program's own code is not in its map:\n{stdout}"
    );
    assert!(
        executable(&library),
        "the installed library's code is not in the map:\n{stdout}"
    );
}

#[test]
fn the_installed_library_has_a_soname_and_exports_only_the_c_interface() {
    let test = "the_installed_library_has_a_soname_and_exports_only_the_c_interface";
    if !prerequisites(test) {
        return;
    }
    let lib = user_install().join("lib");
    let file = format!("libkinfo_vmmap.so.{}", env!("CARGO_PKG_VERSION"));
    for link in ["libkinfo_vmmap.so", SONAME] {
        assert_eq!(
            fs::read_link(lib.join(link)).ok(),
            Some(PathBuf::from(&file)),
            "{link} does not link to {file}"
        );
    }
    let library = lib.join(&file);
    assert_eq!(elf::soname(&library).as_deref(), Some(SONAME));
    assert_eq!(elf::exports(&library), elf::EXPORTS);
}

#[test]
fn the_installed_library_stays_within_its_size_budget() {
    let test = "the_installed_library_stays_within_its_size_budget";
    if !prerequisites(test) {
        return;
    }
    let stripped = fresh_dir("stripped").join("libkinfo_vmmap.so");
    run(Command::new("strip")
        .arg("-o")
        .arg(&stripped)
        .arg(user_install().join("lib").join(SONAME)));
    let size = fs::metadata(&stripped).unwrap().len();
    assert!(
        size <= STRIPPED_SIZE_BUDGET,
        "the stripped library is {size} bytes, over its budget of {STRIPPED_SIZE_BUDGET}"
    );
}

#[test]
fn the_installed_headers_and_manual_pages_are_the_committed_ones() {
    let test = "the_installed_headers_and_manual_pages_are_the_committed_ones";
    if !prerequisites(test) {
        return;
    }
    let prefix = user_install();
    let installed = [
        ("include/kinfo_vmmap/kinfo_vmmap.h", "include/kinfo_vmmap.h"),
        (
            "include/kinfo_vmmap/overlay/libutil.h",
            "include/overlay/libutil.h",
        ),
        (
            "include/kinfo_vmmap/overlay/sys/user.h",
            "include/overlay/sys/user.h",
        ),
        ("share/man/man3/kinfo_getvmmap.3", "man/kinfo_getvmmap.3"),
        (
            "share/man/man3/kinfo_vmmap_unpack.3",
            "man/kinfo_vmmap_unpack.3",
        ),
    ];
    for (copy, source) in installed {
        let copy = prefix.join(copy);
        let copy = fs::read(&copy).unwrap_or_else(|e| panic!("{}: {e}", copy.display()));
        assert!(
            copy == fs::read(root().join(source)).unwrap(),
            "the installed {source} differs from the committed one"
        );
    }
}

#[test]
fn the_port_plist_is_what_cinstall_installs() {
    let test = "the_port_plist_is_what_cinstall_installs";
    if !prerequisites(test) {
        return;
    }
    let makefile = port_makefile();
    assert_eq!(
        makefile.get("DISTVERSION").map(String::as_str),
        Some(env!("CARGO_PKG_VERSION")),
        "packaging/freebsd/Makefile's DISTVERSION is not the crate's version"
    );
    assert_eq!(
        makefile.get("PLIST_SUB").map(String::as_str),
        Some("VERSION=${DISTVERSION}")
    );
    assert!(
        port_commands().iter().any(|command| command
            == "@${SH} ${WRKSRC}/packaging/overlay-pc.sh ${STAGEDIR}${PREFIX}/libdata/pkgconfig"),
        "the port no longer runs overlay-pc.sh as this test does"
    );

    let stage = port_install();
    let prefix = stage.join(PORT_PREFIX.trim_start_matches('/'));
    // The ports framework compresses manual pages after the install.
    let installed: BTreeSet<String> = tree(&prefix)
        .into_iter()
        .map(|path| {
            if path.starts_with("share/man/") {
                format!("{path}.gz")
            } else {
                path
            }
        })
        .collect();
    let outside: Vec<String> = tree(stage)
        .into_iter()
        .filter(|path| !Path::new(path).starts_with(PORT_PREFIX.trim_start_matches('/')))
        .collect();
    assert!(
        outside.is_empty(),
        "cinstall put files outside {PORT_PREFIX}: {outside:?}"
    );

    let plist_path = root().join("packaging/freebsd/pkg-plist");
    let plist: BTreeSet<String> = fs::read_to_string(&plist_path)
        .unwrap()
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('@'))
        .map(|line| line.replace("%%VERSION%%", env!("CARGO_PKG_VERSION")))
        .collect();
    let missing: Vec<_> = installed.difference(&plist).collect();
    let extra: Vec<_> = plist.difference(&installed).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "packaging/freebsd/pkg-plist and the install differ\n\
         installed, not in pkg-plist: {missing:?}\n\
         in pkg-plist, not installed: {extra:?}"
    );

    // The staged files are for PORT_PREFIX; none may name the stage.
    for pc in ["kinfo-vmmap.pc", "kinfo-vmmap-overlay.pc"] {
        let text = fs::read_to_string(prefix.join("libdata/pkgconfig").join(pc)).unwrap();
        assert!(
            text.lines()
                .any(|line| line == format!("prefix={PORT_PREFIX}")),
            "{pc} does not say prefix={PORT_PREFIX}:\n{text}"
        );
        assert!(
            !text.contains(stage.to_str().unwrap()),
            "{pc} names the staging directory:\n{text}"
        );
    }
}

#[test]
fn the_port_crates_are_those_of_cargo_lock() {
    let output = run(Command::new("sh").arg(root().join("packaging/freebsd/cargo-crates.sh")));
    let committed = fs::read_to_string(root().join("packaging/freebsd/Makefile.crates")).unwrap();
    assert!(
        String::from_utf8(output.stdout).unwrap() == committed,
        "packaging/freebsd/Makefile.crates does not list Cargo.lock's crates; run\n\
         sh packaging/freebsd/cargo-crates.sh >packaging/freebsd/Makefile.crates"
    );
}
