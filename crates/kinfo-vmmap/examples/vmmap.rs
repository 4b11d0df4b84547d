//! Prints a process's virtual memory map in the columns of FreeBSD's
//! `procstat -v`: `cargo run --release --example vmmap -- [PID]`.
//! Without a PID it prints its own map.

use std::ffi::OsStr;
use std::io::{BufWriter, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::ExitCode;

use kinfo_vmmap::{EntryFlags, Protection, VmMap};

fn letter(set: bool, yes: char) -> char {
    if set { yes } else { '-' }
}

fn print(pid: i32, map: &VmMap) -> std::io::Result<()> {
    let width = 2 * std::mem::size_of::<usize>() + 2;
    let mut out = BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "{:>5} {:>width$} {:>width$} {:>3} {:>4} {:>4} {:>3} {:>3} {:<5} {:<2} PATH",
        "PID", "START", "END", "PRT", "RES", "PRES", "REF", "SHD", "FLAG", "TP"
    )?;
    for (index, entry) in map.iter().enumerate() {
        let (prot, flags) = (entry.protection(), entry.flags());
        let grows = if flags.contains(EntryFlags::GROWS_UP) {
            'U'
        } else {
            letter(flags.contains(EntryFlags::GROWS_DOWN), 'D')
        };
        writeln!(
            out,
            "{pid:>5} {:>#width$x} {:>#width$x} {}{}{} {:>4} {:>4} {:>3} {:>3} {}{}{}{}{} {:<2} {}",
            entry.start(),
            entry.end(),
            letter(prot.contains(Protection::READ), 'r'),
            letter(prot.contains(Protection::WRITE), 'w'),
            letter(prot.contains(Protection::EXEC), 'x'),
            entry.resident_pages(),
            entry.private_resident_pages(),
            entry.ref_count(),
            entry.shadow_count(),
            letter(flags.contains(EntryFlags::COW), 'C'),
            letter(flags.contains(EntryFlags::NEEDS_COPY), 'N'),
            letter(flags.contains(EntryFlags::SUPER), 'S'),
            grows,
            letter(flags.contains(EntryFlags::USER_WIRED), 'W'),
            entry.object_type().abbreviation(),
            Path::new(OsStr::from_bytes(map.name(index).unwrap_or_default())).display(),
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
