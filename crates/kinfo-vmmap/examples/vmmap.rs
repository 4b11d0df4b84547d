//! Prints a process's virtual memory map in the columns of FreeBSD's
//! `procstat -v`: `cargo run --release --example vmmap -- [PID]`.
//! Without a PID it prints its own map.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use kinfo_vmmap::abi::*;

/// procstat's two-letter object types.
fn type_letters(kve_type: i32) -> &'static str {
    match kve_type {
        KVME_TYPE_NONE => "--",
        KVME_TYPE_DEFAULT => "df",
        KVME_TYPE_VNODE => "vn",
        KVME_TYPE_SWAP => "sw",
        KVME_TYPE_DEVICE => "dv",
        KVME_TYPE_PHYS => "ph",
        KVME_TYPE_DEAD => "dd",
        KVME_TYPE_SG => "sg",
        KVME_TYPE_MGTDEVICE => "md",
        KVME_TYPE_GUARD => "gd",
        _ => "??",
    }
}

fn letter(set: bool, yes: char) -> char {
    if set { yes } else { '-' }
}

fn print(pid: i32, map: &kinfo_vmmap::VmMap) -> std::io::Result<()> {
    let width = 2 * std::mem::size_of::<usize>() + 2;
    let mut out = BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "{:>5} {:>width$} {:>width$} {:>3} {:>4} {:>4} {:>3} {:>3} {:<5} {:<2} PATH",
        "PID", "START", "END", "PRT", "RES", "PRES", "REF", "SHD", "FLAG", "TP"
    )?;
    for kve in map.iter() {
        let (prot, flags) = (kve.kve_protection, kve.kve_flags);
        let grows = if flags & KVME_FLAG_GROWS_UP != 0 {
            'U'
        } else {
            letter(flags & KVME_FLAG_GROWS_DOWN != 0, 'D')
        };
        writeln!(
            out,
            "{pid:>5} {:>#width$x} {:>#width$x} {}{}{} {:>4} {:>4} {:>3} {:>3} {}{}{}{}{} {:<2} {}",
            kve.kve_start,
            kve.kve_end,
            letter(prot & KVME_PROT_READ != 0, 'r'),
            letter(prot & KVME_PROT_WRITE != 0, 'w'),
            letter(prot & KVME_PROT_EXEC != 0, 'x'),
            kve.kve_resident,
            kve.kve_private_resident,
            kve.kve_ref_count,
            kve.kve_shadow_count,
            letter(flags & KVME_FLAG_COW != 0, 'C'),
            letter(flags & KVME_FLAG_NEEDS_COPY != 0, 'N'),
            letter(flags & KVME_FLAG_SUPER != 0, 'S'),
            grows,
            letter(flags & KVME_FLAG_USER_WIRED != 0, 'W'),
            type_letters(kve.kve_type),
            kve.path().display(),
        )?;
    }
    out.flush()
}

fn main() -> ExitCode {
    let arg = std::env::args().nth(1);
    let pid = match arg.as_deref().map(str::parse::<i32>) {
        None => std::process::id() as i32,
        Some(Ok(pid)) => pid,
        Some(Err(_)) => {
            eprintln!("usage: vmmap [pid]");
            return ExitCode::from(2);
        }
    };
    let map = match kinfo_vmmap::vmmap(pid) {
        Ok(map) => map,
        Err(error) => {
            eprintln!("vmmap: {pid}: {}", std::io::Error::from(error));
            return ExitCode::FAILURE;
        }
    };
    match print(pid, &map) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`vmmap | head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vmmap: {e}");
            ExitCode::FAILURE
        }
    }
}
