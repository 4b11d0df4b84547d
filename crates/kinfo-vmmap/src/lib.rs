//! FreeBSD's `kinfo_getvmmap(3)`: a process's virtual memory map as an array
//! of `struct kinfo_vmentry`, on FreeBSD and on Linux.
//!
//! The crate is built in three floors:
//! - the ground floor knows no operating system: [`abi`] (the struct, byte
//!   for byte as FreeBSD's `<sys/user.h>`, and its constants), the
//!   packed-record decoder ([`unpack`]), Linux's `maps` and `smaps` text
//!   turned into the same entries (`procfs`, so that saved text parses on
//!   any system), [`VmMap`] (the `malloc(3)`'d array both faces hand out),
//!   [`Error`], and the typed view of an entry: [`Entry`], with its
//!   [`Protection`] and [`EntryFlags`] bit sets, its [`ObjectType`],
//!   [`VnodeAttrs`] and [`MapPath`];
//! - `sys` holds one backend per system: FreeBSD's sysctl
//!   `KERN_PROC_VMMAP`, Linux's `/proc/PID/smaps` and `maps` (read there,
//!   parsed by `procfs`), or ENOSYS
//!   where there is neither;
//! - the faces: the Rust functions below, and [`capi`], the C functions
//!   `kinfo_getvmmap` and `kinfo_vmmap_unpack`, exported under those names
//!   only with the `export-symbols` feature. The C library at the root of
//!   the repository is this crate built that way, without std.
//!
//! Without its default `std` feature the crate needs only `core`, `alloc`
//! and the C library: every allocation on a call's path goes through
//! `malloc(3)` or `try_reserve` and fails with [`Error::OutOfMemory`].
//!
//! ```
//! use kinfo_vmmap::MapPath;
//!
//! let map = kinfo_vmmap::vmmap(std::process::id() as i32)?;
//! for (index, entry) in map.iter().enumerate() {
//!     let what = match map.map_path(index).expect("an index of the map") {
//!         MapPath::File(path) => path.escape_ascii().to_string(),
//!         other => format!("{other:?}"),
//!     };
//!     println!("{:#x}-{:#x} {:?} {what}", entry.start(), entry.end(), entry.protection());
//! }
//! # Ok::<(), kinfo_vmmap::Error>(())
//! ```

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod abi;
pub mod capi;
mod entry;
mod error;
mod flags;
mod map_path;
mod object_type;
mod options;
mod procfs;
mod sys;
mod unpack;
mod vmmap;
mod vnode;

/// Test plumbing: the FreeBSD kernel double, the fuzz targets' checks and
/// the benches' helpers. Built only with the `internals` feature, which the
/// crate's tests, benches and fuzz targets turn on; no part of the API.
#[cfg(feature = "internals")]
#[doc(hidden)]
#[path = "internals/mod.rs"]
pub mod __internals;

pub use abi::kinfo_vmentry;
pub use entry::{Entry, page_size};
pub use error::{Error, Malformed};
pub use flags::{EntryFlags, Protection};
pub use map_path::MapPath;
pub use object_type::ObjectType;
pub use options::Options;
pub use vmmap::{IntoIter, VmMap};
pub use vnode::{VnodeAttrs, VnodeType};

/// The virtual memory map of process `pid`, entries in address order, read
/// with the default [`Options`].
///
/// # Errors
///
/// [`Error::NoSuchProcess`] for a missing or exiting process,
/// [`Error::PermissionDenied`] when the caller may not inspect it,
/// [`Error::OutOfMemory`], [`Error::MalformedText`] when Linux's `/proc`
/// gives a line that does not parse, or [`Error::Unsupported`] on a system
/// with no backend.
///
/// # Examples
///
/// ```
/// let map = kinfo_vmmap::vmmap(std::process::id() as i32)?;
/// let mapped: u64 = map.iter().map(|entry| entry.len()).sum();
/// assert!(mapped > 0);
/// # Ok::<(), kinfo_vmmap::Error>(())
/// ```
pub fn vmmap(pid: i32) -> Result<VmMap, Error> {
    vmmap_with(pid, &Options::new())
}

/// The virtual memory map of process `pid`, read as `options` say.
///
/// # Errors
///
/// As [`vmmap`].
///
/// # Examples
///
/// ```
/// use kinfo_vmmap::Options;
///
/// let quick = Options::new().resident_counts(false);
/// let map = kinfo_vmmap::vmmap_with(std::process::id() as i32, &quick)?;
/// assert!(!map.is_empty());
/// # Ok::<(), kinfo_vmmap::Error>(())
/// ```
pub fn vmmap_with(pid: i32, options: &Options) -> Result<VmMap, Error> {
    read_vmmap(pid, options.counts_resident())
}

/// The backend's map of `pid`, with or without resident counts.
fn read_vmmap(pid: i32, resident_counts: bool) -> Result<VmMap, Error> {
    let resident = if resident_counts {
        sys::Resident::Count
    } else {
        sys::Resident::Skip
    };
    sys::vmmap(pid, resident)
}

/// Decodes packed `struct kinfo_vmentry` records, as the sysctl
/// `KERN_PROC_VMMAP` returns them and core files store them (the
/// `NT_PROCSTAT_VMMAP` note, after its leading size word), on any system.
/// A `kve_structsize` of 0 ends the list.
///
/// The resident counts of records saved on another machine are in that
/// machine's pages; see [`page_size`].
///
/// # Errors
///
/// A record shorter than the 136-byte head, longer than the 1160-byte
/// struct, running past the end of `packed`, or a trailing fragment too
/// short for a size, fails with [`Error::Malformed`], which says where;
/// nothing past `packed` is read. [`Error::OutOfMemory`] if the entries
/// cannot be allocated.
///
/// # Examples
///
/// ```
/// use kinfo_vmmap::{Entry, ObjectType, abi::*};
///
/// // One record as the kernel packs it: the 136-byte head, the path and
/// // its NUL, rounded up to 8 bytes.
/// let path = b"/bin/sh\0";
/// let size = (KVE_HEADER_SIZE + path.len()).next_multiple_of(8);
/// let mut raw = kinfo_vmentry::zeroed();
/// raw.kve_structsize = size as i32;
/// raw.kve_type = KVME_TYPE_VNODE;
/// raw.kve_start = 0x20_0000;
/// raw.kve_end = 0x21_0000;
/// // SAFETY: a `kinfo_vmentry` is plain integers, `ENTRY_SIZE` bytes long.
/// let bytes = unsafe {
///     std::slice::from_raw_parts((&raw const raw).cast::<u8>(), ENTRY_SIZE)
/// };
/// let mut packed = bytes[..KVE_HEADER_SIZE].to_vec();
/// packed.extend_from_slice(path);
/// packed.resize(size, 0);
///
/// let map = kinfo_vmmap::unpack(&packed)?;
/// let entry = map.find(0x20_8000).unwrap();
/// assert_eq!(entry.object_type(), ObjectType::Vnode);
/// assert_eq!(entry.path_bytes(), Some(&b"/bin/sh"[..]));
/// assert!(kinfo_vmmap::unpack(&packed[..100]).is_err());
/// # Ok::<(), kinfo_vmmap::Error>(())
/// ```
pub fn unpack(packed: &[u8]) -> Result<VmMap, Error> {
    unpack::unpack(packed)
}

/// Decodes the text of Linux's `/proc/PID/smaps`, saved or read elsewhere,
/// into the entries [`vmmap`] would give for it, on any system.
///
/// Nothing is asked of the system the text describes: no entry has vnode
/// attributes ([`Entry::vnode_attrs`] is `None`), names alone decide each
/// entry's type, and resident counts are in pages of this host's size
/// ([`page_size`]), from the text's kilobytes. Linux's own names
/// (`[heap]`, `[anon:name]`) are kept for [`VmMap::map_path`] and
/// [`VmMap::name`].
///
/// # Errors
///
/// [`Error::MalformedText`] names the first line that does not parse (or
/// the last, when it has no newline); [`Error::OutOfMemory`].
///
/// # Examples
///
/// ```
/// use kinfo_vmmap::{MapPath, Protection};
///
/// let smaps = b"\
/// 55d0c8a00000-55d0c8a21000 rw-p 00000000 00:00 0                          [heap]
/// Rss:                  16 kB
/// Private_Dirty:        16 kB
/// VmFlags: rd wr mr mw me ac
/// ";
/// let map = kinfo_vmmap::parse_smaps(smaps)?;
/// let heap = map.find(0x55d0_c8a0_1000).unwrap();
/// assert_eq!(heap.protection(), Protection::READ | Protection::WRITE);
/// assert_eq!(heap.resident_bytes(kinfo_vmmap::page_size()), 16 * 1024);
/// assert_eq!(map.map_path(0), Some(MapPath::Heap));
/// assert_eq!(heap.path_bytes(), None, "as on FreeBSD: no path for the heap");
/// # Ok::<(), kinfo_vmmap::Error>(())
/// ```
pub fn parse_smaps(text: &[u8]) -> Result<VmMap, Error> {
    procfs::vmmap_from_text(text, sys::Resident::Count)
}

/// Decodes the text of Linux's `/proc/PID/maps`, as [`parse_smaps`] does
/// `smaps`: the same entries without resident counts, maximum protection
/// or the flags only `smaps` tells (wired, core dump, huge pages).
///
/// # Errors
///
/// As [`parse_smaps`].
///
/// # Examples
///
/// ```
/// use kinfo_vmmap::{MapPath, ObjectType};
///
/// let maps = b"\
/// 7f1c2a400000-7f1c2a428000 r--p 00000000 08:01 1835143                    /usr/lib/libc.so.6
/// 7ffd4e1f0000-7ffd4e211000 rw-p 00000000 00:00 0                          [stack]
/// ";
/// let map = kinfo_vmmap::parse_maps(maps)?;
/// assert_eq!(map.len(), 2);
/// assert_eq!(map[0].object_type(), ObjectType::Vnode);
/// assert_eq!(map.map_path(0), Some(MapPath::File(b"/usr/lib/libc.so.6")));
/// assert_eq!(map.map_path(1), Some(MapPath::Stack));
/// assert!(kinfo_vmmap::parse_maps(b"not a map line\n").is_err());
/// # Ok::<(), kinfo_vmmap::Error>(())
/// ```
pub fn parse_maps(text: &[u8]) -> Result<VmMap, Error> {
    procfs::vmmap_from_text(text, sys::Resident::Skip)
}
