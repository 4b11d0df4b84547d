//! What an ELF shared object says about itself, read with `readelf`:
//! its exports, its SONAME and the libraries it needs. Shared by the tests
//! that hold the built and the installed libraries to their C interface.
//!
//! readelf, not nm: Debian's nm hands objects carrying LLVM bitcode to its
//! LTO plugin, which is too old for rustc's, and then lists nothing (see
//! scripts/freebsd-conformance.sh).
//!
//! A test includes it beside `support` with
//! `#[path = "support/elf.rs"] mod elf;`.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use crate::support::run;

/// The C interface: every symbol the shared library may export, as
/// `exports` lists them. A new export is an extension of the interface:
/// it goes here together with its declaration in `include/kinfo_vmmap.h`,
/// its manual page and the README's list.
pub const EXPORTS: [&str; 2] = [
    "kinfo_getvmmap FUNC GLOBAL DEFAULT",
    "kinfo_vmmap_unpack FUNC GLOBAL DEFAULT",
];

/// The functions and objects C can link against: every defined GLOBAL or
/// WEAK dynamic symbol, as "name TYPE BIND VISIBILITY", sorted, with any
/// `@version` cut from the name.
pub fn exports(object: &Path) -> Vec<String> {
    let output = run(Command::new("readelf")
        .args(["--dyn-syms", "-W"])
        .arg(object));
    let mut exports: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            // Num: Value Size Type Bind Vis Ndx Name
            let fields: Vec<&str> = line.split_whitespace().collect();
            let &[_, _, _, kind, bind, visibility, index, name, ..] = fields.as_slice() else {
                return None;
            };
            let defined = index != "UND" && index != "Ndx";
            let global = bind == "GLOBAL" || bind == "WEAK";
            let name = name.split('@').next().unwrap_or(name);
            (defined && global).then(|| format!("{name} {kind} {bind} {visibility}"))
        })
        .collect();
    exports.sort();
    exports
}

/// The names an object defines versions under (its `.gnu.version_d`), as
/// `readelf -V` lists them; empty when it defines none.
pub fn version_definitions(object: &Path) -> Vec<String> {
    let output = run(Command::new("readelf").args(["-V", "-W"]).arg(object));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .skip_while(|line| !line.starts_with("Version definition"))
        .take_while(|line| !line.starts_with("Version needs"))
        .filter_map(|line| line.split_once("Name: "))
        .map(|(_, name)| name.split_whitespace().next().unwrap_or("").to_owned())
        .collect()
}

/// The values of one kind of `.dynamic` entry, such as `SONAME` or
/// `NEEDED`, in order.
fn dynamic(object: &Path, tag: &str) -> Vec<String> {
    let output = run(Command::new("readelf").args(["-d", "-W"]).arg(object));
    let tag = format!("({tag})");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.split_whitespace().nth(1) == Some(tag.as_str()))
        .filter_map(|line| {
            let value = line.rsplit_once('[')?.1;
            Some(value.strip_suffix(']')?.to_owned())
        })
        .collect()
}

pub fn soname(object: &Path) -> Option<String> {
    dynamic(object, "SONAME").pop()
}

pub fn needed(object: &Path) -> Vec<String> {
    dynamic(object, "NEEDED")
}
