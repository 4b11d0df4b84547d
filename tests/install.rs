//! The library installed as a C library, the way the README's "Install"
//! section and the FreeBSD port (`packaging/freebsd/`) install it, into
//! scratch directories under `target/tmp/install/`, and the crate the port
//! builds.
//!
//! - On Linux (the README): `cargo cinstall` (cargo-c), then
//!   `packaging/overlay-pc.sh` for the second pkg-config file. A FreeBSD
//!   program (`tests/install/vmmap.c`) builds with nothing but `pkg-config
//!   --cflags --libs kinfo-vmmap-overlay`, and runs against the installed
//!   library, which it finds by its SONAME. The installed release library
//!   exports the C interface alone and stays small; the installed headers
//!   and manual pages are the committed ones.
//! - The port: its `do-build`, `do-install` and `post-install` commands,
//!   run from its Makefile with the framework's variables, stage exactly
//!   `packaging/freebsd/pkg-plist` (no overlay, the manual page under the
//!   library's name); its `Makefile.crates` lists the crates of the
//!   published crate's `Cargo.lock`; the published crate holds what
//!   cinstall installs and the license, and none of the repository's
//!   plumbing.
//!
//! cinstall builds in a target directory of its own, `target/cinstall`: on
//! the outer `cargo test`'s it would wait for that cargo's lock. Its first
//! run builds the release library from scratch (about a minute on two
//! cores); a later one relinks it when the prefix differs (seconds).
//!
//! cargo-c comes from `scripts/setup.sh`. A test whose tools are missing
//! (cargo-c, cc, pkg-config, readelf, strip) prints a note and passes,
//! unless `CI` is set, where it fails.

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

/// The largest the installed shared library may be once stripped: 56 KiB,
/// for a library that stands in for a piece of libutil. It is about 55.7 KB
/// on x86_64 Linux (the README's "Size" section,
/// `packaging/measure-sizes.sh`), with no std inside, most of it the
/// `/proc` text parser, whose common `maps` line and `smaps` record are
/// read in inlined pieces of the line loop; the FreeBSD build, which has none,
/// is held to 40 KiB by `scripts/freebsd-conformance.sh`. The budget
/// catches a dependency or a feature that brings some of Rust's runtime
/// back.
const STRIPPED_SIZE_BUDGET: u64 = 56 * 1024;

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
/// The target directory of every build these tests install from.
fn cinstall_target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target directory")
        .join("cinstall")
}

/// Built as a user or a packager builds it, not with flags meant for the
/// tests (a sanitizer's, say).
fn without_test_flags(command: &mut Command) -> &mut Command {
    for flags in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
    ] {
        command.env_remove(flags);
    }
    command
}

/// The README's install on Linux, into a scratch prefix:
///
/// ```sh
/// cargo cinstall --release --prefix PREFIX --libdir lib
/// sh packaging/overlay-pc.sh PREFIX/lib/pkgconfig
/// ```
fn user_install() -> &'static Path {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let prefix = fresh_dir("prefix");
        run(without_test_flags(
            Command::new(cargo())
                .arg("cinstall")
                .arg("--locked")
                .arg("--manifest-path")
                .arg(root().join("Cargo.toml"))
                .arg("--target-dir")
                .arg(cinstall_target_dir())
                .args(["--release", "--prefix"])
                .arg(&prefix)
                .args(["--libdir", "lib"]),
        ));
        run(Command::new("sh")
            .arg(root().join("packaging/overlay-pc.sh"))
            .arg(prefix.join("lib/pkgconfig")));
        prefix
    })
}

/// `packaging/freebsd/Makefile`, continuation lines joined and whitespace
/// collapsed.
struct PortMakefile {
    variables: BTreeMap<String, String>,
    /// Each target's commands, in order.
    targets: BTreeMap<String, Vec<String>>,
}

impl PortMakefile {
    fn read() -> Self {
        let path = root().join("packaging/freebsd/Makefile");
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut makefile = PortMakefile {
            variables: BTreeMap::new(),
            targets: BTreeMap::new(),
        };
        let mut target = None;
        for line in text.replace("\\\n", " ").lines() {
            let collapsed = line.split_whitespace().collect::<Vec<_>>().join(" ");
            if line.starts_with('\t') {
                let target: &String = target.as_ref().expect("a command outside a target");
                makefile.targets.get_mut(target).unwrap().push(collapsed);
            } else if line.is_empty() || line.starts_with(['#', '.']) {
                continue;
            } else if let Some(name) = collapsed.strip_suffix(':') {
                target = Some(name.to_owned());
                makefile.targets.insert(name.to_owned(), Vec::new());
            } else if let Some((name, value)) = collapsed.split_once('=') {
                let name = name.trim_end_matches(['?', '+', ':']).trim();
                makefile
                    .variables
                    .insert(name.to_owned(), value.trim().to_owned());
            }
        }
        makefile
    }

    fn variable(&self, name: &str) -> &str {
        self.variables
            .get(name)
            .unwrap_or_else(|| panic!("packaging/freebsd/Makefile does not set {name}"))
    }
}

/// `text` with every `${NAME}` and `${NAME:C/-.*//}` expanded from
/// `variables`, recursively, as make(1) expands them. Any other modifier,
/// or a variable `variables` lacks, fails the test: this is how far the
/// port's commands may go and still be run here.
fn expand(text: &str, variables: &BTreeMap<String, String>) -> String {
    let mut expanded = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        expanded.push_str(&rest[..start]);
        let end = start + rest[start..].find('}').expect("an unterminated ${");
        let reference = &rest[start + 2..end];
        let (name, modifier) = match reference.split_once(':') {
            Some((name, modifier)) => (name, Some(modifier)),
            None => (reference, None),
        };
        let value = variables
            .get(name)
            .unwrap_or_else(|| panic!("the port uses ${{{name}}}, which this test does not set"));
        let value = expand(value, variables);
        match modifier {
            None => expanded.push_str(&value),
            // librav1e's version without a suffix such as -rc1.
            Some("C/-.*//") => expanded.push_str(value.split('-').next().unwrap()),
            Some(modifier) => {
                panic!("the port uses ${{{name}:{modifier}}}, which this test cannot expand")
            }
        }
        rest = &rest[end + 1..];
    }
    expanded.push_str(rest);
    expanded
}

/// The variables the ports framework gives the port's commands, for a
/// staged install into `stage`: `Mk/Uses/cargo.mk`'s, for a build without
/// `WITH_DEBUG` or `CARGO_FEATURES`, and the commands of `bsd.port.mk`.
fn framework_variables(stage: &Path) -> BTreeMap<String, String> {
    let quoted = |path: &Path| format!("'{}'", path.display());
    BTreeMap::from(
        [
            ("PREFIX", PORT_PREFIX.to_owned()),
            ("STAGEDIR", stage.display().to_string()),
            ("WRKSRC", root().display().to_string()),
            (
                "CARGO_CARGO_RUN",
                format!("cd {}; {}", quoted(root()), quoted(Path::new(&cargo()))),
            ),
            ("CARGO_BUILD_ARGS", "--release".to_owned()),
            ("CARGO_INSTALL_ARGS", String::new()),
            ("RM", "rm -f".to_owned()),
            ("MV", "mv -f".to_owned()),
            ("LN", "ln".to_owned()),
            ("STRIP_CMD", "strip".to_owned()),
            ("SH", "sh".to_owned()),
        ]
        .map(|(name, value)| (name.to_owned(), value)),
    )
}

/// The port's build and staged install, as the ports framework runs them:
/// the commands of its `do-build`, `do-install` and `post-install`, one
/// shell each, with the Makefile's variables and the framework's. cargo.mk
/// sets `CARGO_TARGET_DIR` the same way. Returns the staging directory;
/// the files are under `PORT_PREFIX` in it.
fn port_install() -> &'static Path {
    static STAGE: OnceLock<PathBuf> = OnceLock::new();
    STAGE.get_or_init(|| {
        let makefile = PortMakefile::read();
        let stage = fresh_dir("stage");
        let mut variables = framework_variables(&stage);
        variables.extend(makefile.variables.clone());
        for target in ["do-build", "do-install", "post-install"] {
            let commands = makefile
                .targets
                .get(target)
                .unwrap_or_else(|| panic!("packaging/freebsd/Makefile has no {target}"));
            for command in commands {
                let command = expand(command.trim_start_matches('@'), &variables);
                run(without_test_flags(
                    Command::new("sh")
                        .args(["-e", "-c", &command])
                        .env("CARGO_TARGET_DIR", cinstall_target_dir()),
                ));
            }
        }
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
    pkg_config_of("kinfo-vmmap-overlay", prefix, args)
}

fn pkg_config_of(package: &str, prefix: &Path, args: &[&str]) -> Vec<String> {
    let output = run(Command::new("pkg-config")
        .args(args)
        .arg(package)
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

/// The static library needs the C library and nothing else, pkg-config
/// says so, and a program linked with exactly that (and not even the
/// compiler's support library) runs.
#[test]
fn the_static_library_links_with_the_c_library_alone() {
    let test = "the_static_library_links_with_the_c_library_alone";
    if !prerequisites(test) {
        return;
    }
    let prefix = user_install();
    let lib = prefix.join("lib");
    let libs = pkg_config_of("kinfo-vmmap", prefix, &["--static", "--libs"]);
    assert_eq!(
        libs,
        [
            format!("-L{}", lib.display()),
            "-lkinfo_vmmap".to_owned(),
            "-lc".to_owned(),
        ]
    );
    let exe = fresh_dir("static-program").join("vmmap");
    run(Command::new("cc")
        .args(["-Wall", "-Wextra", "-Werror", "-nodefaultlibs", "-o"])
        .arg(&exe)
        .arg(root().join("tests/install/vmmap.c"))
        .args(pkg_config(prefix, &["--cflags"]))
        // The archive itself, where -lkinfo_vmmap would take the .so.
        .arg(lib.join("libkinfo_vmmap.a"))
        .args(&libs[2..]));
    let needed = elf::needed(&exe);
    assert!(
        needed.iter().all(|name| name.starts_with("libc.so")),
        "the static program needs {needed:?}"
    );
    let output = run(&mut Command::new(&exe));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let own = fs::canonicalize(&exe).unwrap();
    assert!(
        stdout.contains(own.to_str().unwrap()),
        "the program's own file is not in its map:\n{stdout}"
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
fn the_port_plist_is_what_its_staged_install_installs() {
    let test = "the_port_plist_is_what_its_staged_install_installs";
    if !prerequisites(test) {
        return;
    }
    let makefile = PortMakefile::read();
    assert_eq!(
        makefile.variable("DISTVERSION"),
        env!("CARGO_PKG_VERSION"),
        "packaging/freebsd/Makefile's DISTVERSION is not the crate's version"
    );
    let plist_sub = expand(makefile.variable("PLIST_SUB"), &makefile.variables);
    let version = plist_sub
        .strip_prefix("VERSION=")
        .expect("PLIST_SUB sets VERSION");
    assert_eq!(version, env!("CARGO_PKG_VERSION"));

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
        "the port put files outside {PORT_PREFIX}: {outside:?}"
    );

    let plist_path = root().join("packaging/freebsd/pkg-plist");
    let plist: BTreeSet<String> = fs::read_to_string(&plist_path)
        .unwrap()
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('@'))
        .map(|line| line.replace("%%VERSION%%", version))
        .collect();
    let missing: Vec<_> = installed.difference(&plist).collect();
    let extra: Vec<_> = plist.difference(&installed).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "packaging/freebsd/pkg-plist and the port's staged install differ\n\
         installed, not in pkg-plist: {missing:?}\n\
         in pkg-plist, not installed: {extra:?}"
    );

    // base's kinfo_getvmmap.3 shadows that name: the page is the
    // library's, and the function's name a link to it.
    let man3 = prefix.join("share/man/man3");
    assert!(
        fs::read(man3.join("kinfo_vmmap.3")).unwrap()
            == fs::read(root().join("man/kinfo_getvmmap.3")).unwrap(),
        "the port's kinfo_vmmap.3 is not man/kinfo_getvmmap.3"
    );
    assert_eq!(
        fs::read_link(man3.join("kinfo_getvmmap.3")).ok(),
        Some(PathBuf::from("kinfo_vmmap.3")),
        "kinfo_getvmmap.3 is not a link to kinfo_vmmap.3"
    );
    // post-install strips the file itself, not a link to it.
    let library = prefix.join(format!("lib/libkinfo_vmmap.so.{version}"));
    assert!(fs::symlink_metadata(&library).unwrap().is_file());
    assert_eq!(elf::soname(&library).as_deref(), Some(SONAME));
    assert_eq!(elf::exports(&library), elf::EXPORTS);

    // The staged files are for PORT_PREFIX; none may name the stage.
    let pc = fs::read_to_string(prefix.join("libdata/pkgconfig/kinfo-vmmap.pc")).unwrap();
    assert!(
        pc.lines()
            .any(|line| line == format!("prefix={PORT_PREFIX}")),
        "kinfo-vmmap.pc does not say prefix={PORT_PREFIX}:\n{pc}"
    );
    assert!(
        !pc.contains(stage.to_str().unwrap()),
        "kinfo-vmmap.pc names the staging directory:\n{pc}"
    );
}

/// `min_version` of `[package.metadata.capi]` in Cargo.toml.
fn cargo_c_min_version() -> String {
    let manifest = fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let section = manifest
        .split("\n[package.metadata.capi]\n")
        .nth(1)
        .expect("Cargo.toml has [package.metadata.capi]");
    section
        .lines()
        .take_while(|line| !line.starts_with('['))
        .find_map(|line| line.strip_prefix("min_version = "))
        .expect("[package.metadata.capi] sets min_version")
        .trim_matches('"')
        .to_owned()
}

#[test]
fn the_port_declares_what_a_committer_checks() {
    let makefile = PortMakefile::read();
    assert_eq!(
        makefile.variable("BUILD_DEPENDS"),
        format!("cargo-c>={}:devel/cargo-c", cargo_c_min_version()),
        "the port's cargo-c floor is not Cargo.toml's min_version"
    );
    assert_eq!(makefile.variable("USE_LDCONFIG"), "yes");
    assert_eq!(makefile.variable("LICENSE"), "BSD2CLAUSE");
    assert_eq!(makefile.variable("LICENSE_FILE"), "${WRKSRC}/LICENSE");
    // The distfile is the C library's crate, this package.
    assert_eq!(makefile.variable("PORTNAME"), env!("CARGO_PKG_NAME"));
    assert!(
        !makefile
            .variables
            .keys()
            .any(|name| name.starts_with("CARGO_")),
        "the port sets a variable in the framework's CARGO_ namespace: {:?}",
        makefile.variables.keys()
    );
}

#[test]
fn the_license_is_the_same_in_both_packages() {
    let root_license = fs::read(root().join("LICENSE")).expect("LICENSE");
    let crate_license = fs::read(root().join("crates/kinfo-vmmap/LICENSE"))
        .expect("crates/kinfo-vmmap/LICENSE, the copy the Rust crate ships");
    assert!(
        root_license == crate_license,
        "LICENSE and crates/kinfo-vmmap/LICENSE differ"
    );
    let text = String::from_utf8(root_license).unwrap();
    assert!(text.starts_with("BSD 2-Clause License\n"), "{text}");
    assert!(text.contains("Copyright (c)"), "no copyright notice");
    let manifest = fs::read_to_string(root().join("crates/kinfo-vmmap/Cargo.toml")).unwrap();
    let include = manifest
        .lines()
        .find_map(|line| line.strip_prefix("include = "))
        .expect("crates/kinfo-vmmap/Cargo.toml has an include list");
    assert!(
        include.contains("\"/LICENSE\""),
        "the Rust crate does not ship its LICENSE: include = {include}"
    );
}

#[test]
fn the_published_crate_holds_what_cinstall_installs_and_no_repository_plumbing() {
    let output = run(Command::new(cargo())
        .args([
            "package",
            "--list",
            "--allow-dirty",
            "--quiet",
            "--manifest-path",
        ])
        .arg(root().join("Cargo.toml")));
    let listed: BTreeSet<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let needed = [
        "Cargo.lock",
        "Cargo.toml",
        "LICENSE",
        "README.md",
        "include/kinfo_vmmap.h",
        "include/overlay/libutil.h",
        "include/overlay/sys/user.h",
        "man/kinfo_getvmmap.3",
        "man/kinfo_vmmap_unpack.3",
        "packaging/overlay-pc.sh",
        "src/lib.rs",
    ];
    let absent: Vec<_> = needed
        .iter()
        .filter(|file| !listed.contains(**file))
        .collect();
    assert!(
        absent.is_empty(),
        "the published crate lacks {absent:?}: {listed:?}"
    );
    let plumbing: Vec<_> = listed
        .iter()
        .filter(|file| {
            [".cargo/", ".ci/", "scripts/", "tests/", "crates/", "fuzz/"]
                .iter()
                .any(|dir| file.starts_with(dir))
        })
        .collect();
    assert!(
        plumbing.is_empty(),
        "the published crate ships repository plumbing: {plumbing:?}"
    );
}

#[test]
fn the_port_crates_are_those_of_the_published_crates_cargo_lock() {
    let output = run(Command::new("sh").arg(root().join("packaging/freebsd/cargo-crates.sh")));
    let committed = fs::read_to_string(root().join("packaging/freebsd/Makefile.crates")).unwrap();
    assert!(
        String::from_utf8(output.stdout).unwrap() == committed,
        "packaging/freebsd/Makefile.crates does not list Cargo.lock's crates; run\n\
         sh packaging/freebsd/cargo-crates.sh >packaging/freebsd/Makefile.crates"
    );
    // In the published crate, the Rust crate is a crates.io dependency.
    let manifest = fs::read_to_string(root().join("crates/kinfo-vmmap/Cargo.toml")).unwrap();
    let version = manifest
        .lines()
        .find_map(|line| line.strip_prefix("version = "))
        .expect("crates/kinfo-vmmap/Cargo.toml has a version")
        .trim_matches('"');
    let crate_name = format!("kinfo-vmmap-{version}");
    assert!(
        committed.split_whitespace().any(|word| word == crate_name),
        "Makefile.crates does not list {crate_name}:\n{committed}"
    );
    assert!(
        !committed.contains(env!("CARGO_PKG_NAME")),
        "Makefile.crates lists the port's own crate:\n{committed}"
    );
}
