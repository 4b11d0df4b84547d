//! Linux's `/proc/PID/maps` and `smaps` text, turned into FreeBSD's
//! entries on any system: the text is the data, not the system that
//! printed it, so saved text parses the same everywhere.
//!
//! - `text.rs`: the parser, bytes in, fields out;
//! - `classify.rs`: what a mapping is in FreeBSD's terms (`kve_type`, the
//!   shared memory flags, what `kve_path` shows), and Linux's numbers;
//! - `entries.rs`: the builder, lines in, `struct kinfo_vmentry` out, with
//!   `stat` reached through a hook.
//!
//! The Linux backend (`sys/linux/`) reads `/proc` and gives the builder its
//! `stat` hook; [`vmmap_from_text`] gives it none.

mod classify;
mod entries;
mod text;

#[cfg(all(test, target_os = "linux"))]
pub(crate) use classify::S_IFMT;
pub(crate) use entries::{Builder, NoStat};
#[cfg(all(test, target_os = "linux"))]
pub(crate) use text::Lines;
// What the Linux backend adds: the stat hook, and /proc/PID/stat.
#[cfg(target_os = "linux")]
pub(crate) use classify::VnAttrs;
#[cfg(target_os = "linux")]
pub(crate) use entries::Stat;
#[cfg(target_os = "linux")]
pub(crate) use text::{count_newlines, parse_stat};

use crate::error::Error;
use crate::sys::Resident;
use crate::vmmap::VmMap;

/// The map that saved `smaps` text (`Resident::Count`) or `maps` text
/// (`Resident::Skip`) describes, with no system to ask: no entry has
/// `KF_ATTR_VALID`, names alone decide types, and counts are in pages of
/// this host's size ([`host_page_size`]).
///
/// Fails with `MalformedText` naming the first line that does not parse,
/// or the last when it lacks its newline; or `OutOfMemory`.
pub(crate) fn vmmap_from_text(text: &[u8], resident: Resident) -> Result<VmMap, Error> {
    // As the live reader does: `maps` lines are counted and the array
    // allocated once; `smaps`, ten times the text a line, grows.
    let mut builder = match resident {
        Resident::Skip => {
            let lines = text::count_newlines(text);
            Builder::with_capacity(resident, host_page_size(), NoStat, lines)?
        }
        Resident::Count => Builder::new(resident, host_page_size(), NoStat)?,
    };
    let complete = builder.lines(text)?;
    builder.finish(text.get(complete..).unwrap_or_default())
}

/// This host's page size, asked of `sysconf` once; 4096 where there is no
/// `sysconf` to ask.
pub(crate) fn host_page_size() -> u64 {
    #[cfg(unix)]
    {
        use core::sync::atomic::{AtomicU64, Ordering};
        static PAGE_SIZE: AtomicU64 = AtomicU64::new(0);
        let cached = PAGE_SIZE.load(Ordering::Relaxed);
        if cached != 0 {
            return cached;
        }
        // SAFETY: `sysconf` has no preconditions.
        let asked = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        let size = u64::try_from(asked).ok().filter(|&s| s > 0).unwrap_or(4096);
        PAGE_SIZE.store(size, Ordering::Relaxed);
        size
    }
    #[cfg(not(unix))]
    {
        4096
    }
}

/// What the fuzz checks (`internals/fuzz.rs`) drive: the text parser and
/// the entry builder.
#[cfg(feature = "internals")]
pub(crate) mod fuzz_access {
    pub(crate) use super::text::{
        Field, Lines, SmapsLine, VmFlags, parse_map_line, parse_smaps_line, parse_stat,
        unescape_path,
    };
    pub(crate) use super::vmmap_from_text;
    pub(crate) use crate::sys::Resident;
}
