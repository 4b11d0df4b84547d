//! `Entry`: the typed view of one `struct kinfo_vmentry`.
//!
//! `Entry` is `#[repr(transparent)]` over the C struct, so a `VmMap` (one
//! malloc'd array of C structs, the array C callers get) is viewed as
//! `[Entry]` by a pointer cast, with no copy and no second layout. Its
//! accessors give the fields as what they are (flags as bit sets, the type
//! as an enum, the path as a path or nothing), and it dereferences to the
//! C struct, so every raw field stays reachable (`entry.kve_start`).
//!
//! Resident counts are in pages, and a record does not say how big its
//! pages were: a map read on this machine counts in [`page_size`]'s pages,
//! a map unpacked from records saved on another machine counts in that
//! machine's. So the byte counts take the page size as an argument.

use core::ffi::CStr;
use core::fmt;
use core::ops::Range;

use crate::abi::{KF_ATTR_VALID, kinfo_vmentry};
use crate::flags::{EntryFlags, Protection};
use crate::map_path::MapPath;
use crate::object_type::ObjectType;
use crate::vnode::{VnodeAttrs, VnodeType};

/// One entry of a process's memory map: a range of addresses and what is
/// mapped there.
///
/// Dereferences to the C struct [`kinfo_vmentry`] for the raw fields.
///
/// # Examples
///
/// ```
/// use kinfo_vmmap::{Entry, Protection, abi::*};
///
/// let mut raw = kinfo_vmentry::zeroed();
/// raw.kve_start = 0x1000;
/// raw.kve_end = 0x3000;
/// raw.kve_protection = KVME_PROT_READ | KVME_MAX_PROT_READ | KVME_MAX_PROT_WRITE;
/// let entry = Entry::from_raw(&raw);
/// assert_eq!((entry.range(), entry.len()), (0x1000..0x3000, 0x2000));
/// assert_eq!(entry.protection(), Protection::READ);
/// assert_eq!(entry.max_protection(), Protection::READ | Protection::WRITE);
/// assert_eq!(entry.kve_start, 0x1000);
/// ```
#[derive(Clone, Copy, Default)]
#[repr(transparent)]
pub struct Entry(kinfo_vmentry);

/// This machine's page size, `sysconf(_SC_PAGESIZE)`: the unit of the
/// resident counts of a map read here. FreeBSD's kernel counts in its base
/// page, which is this size; the Linux backend divides smaps' kilobytes by
/// it. Records unpacked from another machine count in that machine's pages.
///
/// # Examples
///
/// ```
/// let page = kinfo_vmmap::page_size();
/// assert!(page.is_power_of_two());
/// ```
pub fn page_size() -> u64 {
    crate::procfs::host_page_size()
}

impl Entry {
    /// The typed view of a C struct, by reference, with no copy.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::kinfo_vmentry};
    ///
    /// let raw = kinfo_vmentry::zeroed();
    /// assert!(Entry::from_raw(&raw).is_empty());
    /// ```
    pub const fn from_raw(raw: &kinfo_vmentry) -> &Self {
        // SAFETY: `Entry` is `repr(transparent)` over `kinfo_vmentry`, so
        // the two have one layout and the reference stays valid and aligned.
        unsafe { &*(raw as *const kinfo_vmentry).cast::<Self>() }
    }

    /// The typed view of a slice of C structs, with no copy.
    pub(crate) const fn from_raw_slice(raw: &[kinfo_vmentry]) -> &[Self] {
        // SAFETY: as in `from_raw`; the slice keeps its length, and the
        // same layout means the same stride.
        unsafe { core::slice::from_raw_parts(raw.as_ptr().cast::<Self>(), raw.len()) }
    }

    /// The C struct.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::kinfo_vmentry};
    ///
    /// let mut raw = kinfo_vmentry::zeroed();
    /// raw.kve_ref_count = 3;
    /// assert_eq!(Entry::from_raw(&raw).as_raw().kve_ref_count, 3);
    /// ```
    pub const fn as_raw(&self) -> &kinfo_vmentry {
        &self.0
    }

    /// The first address (`kve_start`).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::kinfo_vmentry};
    ///
    /// let raw = kinfo_vmentry { kve_start: 0x1000, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).start(), 0x1000);
    /// ```
    pub const fn start(&self) -> u64 {
        self.0.kve_start
    }

    /// One past the last address (`kve_end`).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::kinfo_vmentry};
    ///
    /// let raw = kinfo_vmentry { kve_end: 0x2000, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).end(), 0x2000);
    /// ```
    pub const fn end(&self) -> u64 {
        self.0.kve_end
    }

    /// The addresses, `start()..end()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::kinfo_vmentry};
    ///
    /// let raw = kinfo_vmentry { kve_start: 0x1000, kve_end: 0x2000, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).range(), 0x1000..0x2000);
    /// ```
    pub const fn range(&self) -> Range<u64> {
        self.0.kve_start..self.0.kve_end
    }

    /// The size in bytes, `end() - start()` (0 for a record whose end is
    /// below its start, which no kernel writes).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::kinfo_vmentry};
    ///
    /// let raw = kinfo_vmentry { kve_start: 0x1000, kve_end: 0x3000, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).len(), 0x2000);
    /// ```
    pub const fn len(&self) -> u64 {
        self.0.kve_end.saturating_sub(self.0.kve_start)
    }

    /// Whether the entry covers no address.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::kinfo_vmentry};
    ///
    /// assert!(Entry::from_raw(&kinfo_vmentry::zeroed()).is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `addr` lies in the entry: from `start()` included to `end()`
    /// excluded.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::kinfo_vmentry};
    ///
    /// let raw = kinfo_vmentry { kve_start: 0x1000, kve_end: 0x2000, ..kinfo_vmentry::zeroed() };
    /// let entry = Entry::from_raw(&raw);
    /// assert!(entry.contains(0x1000) && entry.contains(0x1fff) && !entry.contains(0x2000));
    /// ```
    pub const fn contains(&self, addr: u64) -> bool {
        self.0.kve_start <= addr && addr < self.0.kve_end
    }

    /// The offset of `start()` in the mapped object (`kve_offset`).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::kinfo_vmentry};
    ///
    /// let raw = kinfo_vmentry { kve_offset: 0x4000, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).offset(), 0x4000);
    /// ```
    pub const fn offset(&self) -> u64 {
        self.0.kve_offset
    }

    /// The access the pages allow now (`KVME_PROT_*`), unknown bits kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, Protection, abi::*};
    ///
    /// let raw = kinfo_vmentry { kve_protection: KVME_PROT_READ | KVME_PROT_EXEC, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).protection(), Protection::READ | Protection::EXEC);
    /// ```
    pub const fn protection(&self) -> Protection {
        Protection::from_bits_retain(self.0.kve_protection as u32 & 0xffff)
    }

    /// The most access mprotect(2) could ever give the pages
    /// (`KVME_MAX_PROT_*`, moved down to `Protection`'s bits), unknown bits
    /// kept. Empty where the system does not say: FreeBSD before 14.1, and
    /// Linux without resident counts (the maximum comes from smaps).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, Protection, abi::*};
    ///
    /// let raw = kinfo_vmentry { kve_protection: KVME_PROT_READ | KVME_MAX_PROT_WRITE, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).max_protection(), Protection::WRITE);
    /// ```
    pub const fn max_protection(&self) -> Protection {
        Protection::from_bits_retain(self.0.kve_protection as u32 >> 16)
    }

    /// Whether the pages may be read now.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::*};
    ///
    /// let raw = kinfo_vmentry { kve_protection: KVME_PROT_READ, ..kinfo_vmentry::zeroed() };
    /// let entry = Entry::from_raw(&raw);
    /// assert!(entry.is_read() && !entry.is_write() && !entry.is_exec());
    /// ```
    pub const fn is_read(&self) -> bool {
        self.protection().contains(Protection::READ)
    }

    /// Whether the pages may be written now.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::*};
    ///
    /// let raw = kinfo_vmentry { kve_protection: KVME_PROT_WRITE, ..kinfo_vmentry::zeroed() };
    /// assert!(Entry::from_raw(&raw).is_write());
    /// ```
    pub const fn is_write(&self) -> bool {
        self.protection().contains(Protection::WRITE)
    }

    /// Whether the pages may be executed now.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::*};
    ///
    /// let raw = kinfo_vmentry { kve_protection: KVME_PROT_EXEC, ..kinfo_vmentry::zeroed() };
    /// assert!(Entry::from_raw(&raw).is_exec());
    /// ```
    pub const fn is_exec(&self) -> bool {
        self.protection().contains(Protection::EXEC)
    }

    /// The entry's flags (`kve_flags`), unknown bits kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, EntryFlags, abi::*};
    ///
    /// let raw = kinfo_vmentry { kve_flags: KVME_FLAG_COW, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).flags(), EntryFlags::COW);
    /// ```
    pub const fn flags(&self) -> EntryFlags {
        EntryFlags::from_bits_retain(self.0.kve_flags as u32)
    }

    /// The kind of object mapped (`kve_type`).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, ObjectType, abi::*};
    ///
    /// let raw = kinfo_vmentry { kve_type: KVME_TYPE_GUARD, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).object_type(), ObjectType::Guard);
    /// ```
    pub const fn object_type(&self) -> ObjectType {
        ObjectType::from_raw(self.0.kve_type)
    }

    /// Resident pages (`kve_resident`); 0 when the counts were skipped.
    /// A negative count, which no kernel writes, reads as 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::kinfo_vmentry};
    ///
    /// let raw = kinfo_vmentry { kve_resident: 3, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).resident_pages(), 3);
    /// ```
    pub const fn resident_pages(&self) -> u64 {
        count(self.0.kve_resident)
    }

    /// Resident bytes: [`resident_pages`](Self::resident_pages) times
    /// `page_size`, the page size of the machine the map comes from
    /// ([`page_size()`](crate::page_size) for a map read here).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::kinfo_vmentry};
    ///
    /// let raw = kinfo_vmentry { kve_resident: 3, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).resident_bytes(4096), 12288);
    /// ```
    pub const fn resident_bytes(&self, page_size: u64) -> u64 {
        self.resident_pages().saturating_mul(page_size)
    }

    /// Resident pages private to this process (`kve_private_resident`).
    /// A negative count reads as 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::kinfo_vmentry};
    ///
    /// let raw = kinfo_vmentry { kve_private_resident: 2, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).private_resident_pages(), 2);
    /// ```
    pub const fn private_resident_pages(&self) -> u64 {
        count(self.0.kve_private_resident)
    }

    /// Private resident bytes: [`private_resident_pages`](Self::private_resident_pages)
    /// times `page_size`, as in [`resident_bytes`](Self::resident_bytes).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::kinfo_vmentry};
    ///
    /// let raw = kinfo_vmentry { kve_private_resident: 2, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).private_resident_bytes(16384), 32768);
    /// ```
    pub const fn private_resident_bytes(&self, page_size: u64) -> u64 {
        self.private_resident_pages().saturating_mul(page_size)
    }

    /// References to the mapped object (`kve_ref_count`).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::kinfo_vmentry};
    ///
    /// let raw = kinfo_vmentry { kve_ref_count: 4, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).ref_count(), 4);
    /// ```
    pub const fn ref_count(&self) -> u64 {
        count(self.0.kve_ref_count)
    }

    /// Objects shadowing the mapped one (`kve_shadow_count`).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::kinfo_vmentry};
    ///
    /// let raw = kinfo_vmentry { kve_shadow_count: 1, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).shadow_count(), 1);
    /// ```
    pub const fn shadow_count(&self) -> u64 {
        count(self.0.kve_shadow_count)
    }

    /// The mapped file's attributes, when the kernel could read them
    /// (`KF_ATTR_VALID` in `kve_status`); `None` otherwise, and for
    /// anything but a file.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::*};
    ///
    /// let mut raw = kinfo_vmentry::zeroed();
    /// raw.kve_vn_size = 4096;
    /// assert!(Entry::from_raw(&raw).vnode_attrs().is_none());
    /// raw.kve_status = KF_ATTR_VALID;
    /// assert_eq!(Entry::from_raw(&raw).vnode_attrs().unwrap().size, 4096);
    /// ```
    pub const fn vnode_attrs(&self) -> Option<VnodeAttrs> {
        if self.0.kve_status & KF_ATTR_VALID == 0 {
            return None;
        }
        Some(VnodeAttrs {
            fileid: self.0.kve_vn_fileid,
            fsid: self.0.kve_vn_fsid(),
            mode: self.0.kve_vn_mode,
            size: self.0.kve_vn_size,
            rdev: self.0.kve_vn_rdev,
            vnode_type: VnodeType::from_raw(self.0.kve_vn_type),
        })
    }

    /// What the entry maps, from the record alone. On Linux,
    /// [`VmMap::map_path`](crate::VmMap::map_path) also knows Linux's own
    /// names (`[heap]`, `[vdso]`).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, MapPath, abi::*};
    ///
    /// let raw = kinfo_vmentry { kve_type: KVME_TYPE_GUARD, ..kinfo_vmentry::zeroed() };
    /// assert_eq!(Entry::from_raw(&raw).map_path(), MapPath::Guard);
    /// ```
    pub fn map_path(&self) -> MapPath<'_> {
        MapPath::of_entry(self)
    }

    /// The mapped file's path as bytes; `None` for anonymous memory, for
    /// shared memory, and for a file whose path the kernel could not find.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::*};
    ///
    /// let mut raw = kinfo_vmentry::zeroed();
    /// assert_eq!(Entry::from_raw(&raw).path_bytes(), None);
    /// raw.kve_path[..3].copy_from_slice(&[b'/' as _, b'a' as _, b'b' as _]);
    /// assert_eq!(Entry::from_raw(&raw).path_bytes(), Some(&b"/ab"[..]));
    /// ```
    pub fn path_bytes(&self) -> Option<&[u8]> {
        match self.map_path() {
            MapPath::File(path) => Some(path),
            _ => None,
        }
    }

    /// The mapped file's path as a C string, as in
    /// [`path_bytes`](Self::path_bytes); also `None` for a record whose
    /// `kve_path` has no NUL (never one this crate built).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::*};
    ///
    /// let mut raw = kinfo_vmentry::zeroed();
    /// raw.kve_path[..2].copy_from_slice(&[b'/' as _, b'x' as _]);
    /// assert_eq!(Entry::from_raw(&raw).path_cstr(), Some(c"/x"));
    /// ```
    pub fn path_cstr(&self) -> Option<&CStr> {
        self.path_bytes()?;
        // SAFETY: `c_char` and `u8` have the same size and alignment, and
        // the slice covers exactly the array.
        let bytes: &[u8; crate::abi::KVE_PATH_SIZE] =
            unsafe { &*(&raw const self.0.kve_path).cast() };
        CStr::from_bytes_until_nul(bytes).ok()
    }

    /// The mapped file's path, as in [`path_bytes`](Self::path_bytes).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::{Entry, abi::*};
    /// use std::path::Path;
    ///
    /// let mut raw = kinfo_vmentry::zeroed();
    /// raw.kve_type = KVME_TYPE_VNODE;
    /// raw.kve_path[..2].copy_from_slice(&[b'/' as _, b'x' as _]);
    /// assert_eq!(Entry::from_raw(&raw).path(), Some(Path::new("/x")));
    /// ```
    #[cfg(feature = "std")]
    pub fn path(&self) -> Option<&std::path::Path> {
        self.path_bytes().map(bytes_as_path)
    }

    /// `kve_path`, or `None` when it is empty: a file's path or a shared
    /// memory object's name.
    pub(crate) fn kve_path_bytes(&self) -> Option<&[u8]> {
        Some(self.0.path_bytes()).filter(|bytes| !bytes.is_empty())
    }
}

/// A count from the C struct, which no kernel writes negative.
const fn count(value: core::ffi::c_int) -> u64 {
    if value < 0 { 0 } else { value as u64 }
}

/// Bytes from the kernel as a path: Unix paths are bytes, not UTF-8.
#[cfg(feature = "std")]
pub(crate) fn bytes_as_path(bytes: &[u8]) -> &std::path::Path {
    use std::os::unix::ffi::OsStrExt;
    std::path::Path::new(std::ffi::OsStr::from_bytes(bytes))
}

impl core::ops::Deref for Entry {
    type Target = kinfo_vmentry;

    fn deref(&self) -> &kinfo_vmentry {
        &self.0
    }
}

impl AsRef<kinfo_vmentry> for Entry {
    fn as_ref(&self) -> &kinfo_vmentry {
        &self.0
    }
}

impl From<kinfo_vmentry> for Entry {
    fn from(raw: kinfo_vmentry) -> Self {
        Self(raw)
    }
}

impl From<Entry> for kinfo_vmentry {
    fn from(entry: Entry) -> Self {
        entry.0
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("start", &format_args!("{:#x}", self.start()))
            .field("end", &format_args!("{:#x}", self.end()))
            .field("protection", &self.protection())
            .field("max_protection", &self.max_protection())
            .field("flags", &self.flags())
            .field("object_type", &self.object_type())
            .field("map_path", &self.map_path())
            .field("offset", &format_args!("{:#x}", self.offset()))
            .field("resident_pages", &self.resident_pages())
            .field("private_resident_pages", &self.private_resident_pages())
            .field("ref_count", &self.ref_count())
            .field("shadow_count", &self.shadow_count())
            .field("vnode_attrs", &self.vnode_attrs())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::*;

    fn with_path(mut raw: kinfo_vmentry, path: &[u8]) -> kinfo_vmentry {
        for (slot, &byte) in raw.kve_path.iter_mut().zip(path) {
            *slot = byte as core::ffi::c_char;
        }
        raw
    }

    #[test]
    fn protection_and_max_protection_split_kve_protection_and_keep_unknown_bits() {
        let raw = kinfo_vmentry {
            kve_protection: KVME_PROT_READ
                | KVME_PROT_WRITE
                | 0x8
                | KVME_MAX_PROT_EXEC
                | 0x0080_0000,
            ..kinfo_vmentry::zeroed()
        };
        let entry = Entry::from_raw(&raw);
        let (prot, max) = (entry.protection(), entry.max_protection());
        assert_eq!(
            prot,
            Protection::READ | Protection::WRITE | Protection::from_bits_retain(0x8)
        );
        assert_eq!(max, Protection::EXEC | Protection::from_bits_retain(0x80));
        assert_eq!((prot.bits() | max.bits() << 16) as i32, raw.kve_protection);
        assert!(entry.is_read() && entry.is_write() && !entry.is_exec());
        // The top bit of the C int survives too.
        let raw = kinfo_vmentry {
            kve_protection: i32::MIN,
            ..kinfo_vmentry::zeroed()
        };
        assert_eq!(Entry::from_raw(&raw).max_protection().bits(), 0x8000);
    }

    #[test]
    fn flags_keep_every_bit() {
        for bits in [0, KVME_FLAG_COW | KVME_FLAG_SUPER, 0x0100_0200, -1] {
            let raw = kinfo_vmentry {
                kve_flags: bits,
                ..kinfo_vmentry::zeroed()
            };
            assert_eq!(Entry::from_raw(&raw).flags().bits() as i32, bits);
        }
    }

    #[test]
    fn path_is_none_for_anonymous_memory_and_shared_memory() {
        let anonymous = kinfo_vmentry {
            kve_type: KVME_TYPE_SWAP,
            ..kinfo_vmentry::zeroed()
        };
        let entry = Entry::from_raw(&anonymous);
        assert_eq!(
            (entry.path_bytes(), entry.path_cstr(), entry.path()),
            (None, None, None)
        );

        let file = with_path(
            kinfo_vmentry {
                kve_type: KVME_TYPE_VNODE,
                ..kinfo_vmentry::zeroed()
            },
            b"/usr/lib/libm.so.5",
        );
        let entry = Entry::from_raw(&file);
        assert_eq!(entry.path_bytes(), Some(&b"/usr/lib/libm.so.5"[..]));
        assert_eq!(entry.path_cstr(), Some(c"/usr/lib/libm.so.5"));
        assert_eq!(
            entry.path(),
            Some(std::path::Path::new("/usr/lib/libm.so.5"))
        );

        let shm = with_path(
            kinfo_vmentry {
                kve_type: KVME_TYPE_SWAP,
                kve_flags: KVME_FLAG_POSIXSHM,
                ..kinfo_vmentry::zeroed()
            },
            b"/my-shm",
        );
        let entry = Entry::from_raw(&shm);
        assert_eq!((entry.path_bytes(), entry.path()), (None, None));
        assert_eq!(entry.map_path(), MapPath::PosixShm(b"/my-shm"));
    }

    #[test]
    fn a_path_with_no_nul_is_bytes_but_no_c_string() {
        let raw = kinfo_vmentry {
            kve_path: [b'p' as core::ffi::c_char; KVE_PATH_SIZE],
            ..kinfo_vmentry::zeroed()
        };
        let entry = Entry::from_raw(&raw);
        assert_eq!(entry.path_bytes().map(<[u8]>::len), Some(KVE_PATH_SIZE));
        assert_eq!(entry.path_cstr(), None);
    }

    #[test]
    fn vnode_attrs_only_with_kf_attr_valid() {
        let mut raw = kinfo_vmentry {
            kve_vn_fileid: 7,
            kve_vn_mode: 0o020666,
            kve_vn_size: 0,
            kve_vn_rdev: 0x1234,
            kve_vn_type: 4,
            kve_type_spec: kinfo_vmentry_type_spec { _kve_vn_fsid: 99 },
            ..kinfo_vmentry::zeroed()
        };
        assert_eq!(Entry::from_raw(&raw).vnode_attrs(), None);
        raw.kve_status = 0x2;
        assert_eq!(Entry::from_raw(&raw).vnode_attrs(), None);
        raw.kve_status = KF_ATTR_VALID;
        assert_eq!(
            Entry::from_raw(&raw).vnode_attrs(),
            Some(VnodeAttrs {
                fileid: 7,
                fsid: 99,
                mode: 0o020666,
                size: 0,
                rdev: 0x1234,
                vnode_type: VnodeType::CharacterDevice,
            })
        );
    }

    #[test]
    fn ranges_include_the_start_and_exclude_the_end() {
        let raw = kinfo_vmentry {
            kve_start: 0x1000,
            kve_end: 0x3000,
            ..kinfo_vmentry::zeroed()
        };
        let entry = Entry::from_raw(&raw);
        assert_eq!(
            (entry.start(), entry.end(), entry.len()),
            (0x1000, 0x3000, 0x2000)
        );
        assert!(!entry.contains(0xfff) && entry.contains(0x1000));
        assert!(entry.contains(0x2fff) && !entry.contains(0x3000));
        let backwards = kinfo_vmentry {
            kve_start: 0x3000,
            kve_end: 0x1000,
            ..raw
        };
        let entry = Entry::from_raw(&backwards);
        assert!(entry.is_empty() && !entry.contains(0x2000));
    }

    #[test]
    fn counts_in_pages_and_bytes() {
        let raw = kinfo_vmentry {
            kve_resident: 5,
            kve_private_resident: -1,
            kve_ref_count: 2,
            kve_shadow_count: 1,
            ..kinfo_vmentry::zeroed()
        };
        let entry = Entry::from_raw(&raw);
        assert_eq!(
            (entry.resident_pages(), entry.resident_bytes(4096)),
            (5, 20480)
        );
        assert_eq!(entry.resident_bytes(16384), 81920);
        assert_eq!(
            (
                entry.private_resident_pages(),
                entry.private_resident_bytes(4096)
            ),
            (0, 0)
        );
        assert_eq!((entry.ref_count(), entry.shadow_count()), (2, 1));
        assert_eq!(entry.resident_bytes(u64::MAX), u64::MAX);
        assert!(page_size().is_power_of_two());
    }

    #[test]
    fn debug_prints_names_not_integers() {
        let raw = with_path(
            kinfo_vmentry {
                kve_start: 0x1000,
                kve_end: 0x2000,
                kve_type: KVME_TYPE_VNODE,
                kve_protection: KVME_PROT_READ | KVME_PROT_EXEC | KVME_MAX_PROT_READ,
                kve_flags: KVME_FLAG_COW,
                ..kinfo_vmentry::zeroed()
            },
            b"/bin/sh",
        );
        let debug = format!("{:?}", Entry::from_raw(&raw));
        for name in [
            "start: 0x1000",
            "end: 0x2000",
            "protection: Protection(READ | EXEC)",
            "max_protection: Protection(READ)",
            "flags: EntryFlags(COW)",
            "object_type: Vnode",
            "map_path: File(\"/bin/sh\")",
            "vnode_attrs: None",
        ] {
            assert!(debug.contains(name), "{name} not in {debug}");
        }
    }
}
