//! `MapPath`: what an entry maps, named as what it is (a file, POSIX or
//! System V shared memory, a stack, a guard, anonymous memory...), never a
//! string posing as a path.
//!
//! FreeBSD says it through three fields together: `kve_path` (a file's path,
//! or a POSIX shared memory object's name), `kve_type` and `kve_flags`; so
//! does the C array this crate builds on Linux. Linux also has names of its
//! own (`[heap]`, `[vdso]`, `[anon:name]`), which have no place in
//! `kve_path` and come from the map beside the array, so they are read by
//! [`VmMap::map_path`](crate::VmMap::map_path), while
//! [`Entry::map_path`](crate::Entry::map_path) reads the record alone.

use core::fmt;

use crate::entry::Entry;
use crate::flags::EntryFlags;
use crate::object_type::ObjectType;

/// What an entry maps.
///
/// # Examples
///
/// ```
/// use kinfo_vmmap::{Entry, MapPath, abi::*};
///
/// let mut raw = kinfo_vmentry::zeroed();
/// raw.kve_type = KVME_TYPE_SWAP;
/// assert_eq!(Entry::from_raw(&raw).map_path(), MapPath::Anonymous);
/// raw.kve_flags = KVME_FLAG_GROWS_DOWN;
/// assert_eq!(Entry::from_raw(&raw).map_path(), MapPath::Stack);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MapPath<'a> {
    /// A file, by its path as the kernel found it: on FreeBSD a vnode or a
    /// tmpfs file; on Linux a path that may end in ` (deleted)`.
    File(&'a [u8]),
    /// POSIX shared memory (`KVME_FLAG_POSIXSHM`), by its shm_open(2) name.
    PosixShm(&'a [u8]),
    /// System V shared memory (`KVME_FLAG_SYSVSHM`).
    SysVShm,
    /// A stack: memory that grows down (or up), or Linux's `[stack]`.
    Stack,
    /// The heap: Linux's `[heap]`, the program's break area.
    Heap,
    /// Linux's `[vdso]`.
    Vdso,
    /// Any other name Linux gives, as it prints it: `[vvar]`,
    /// `[vsyscall]`, `[anon:name]`...
    Named(&'a [u8]),
    /// A guard entry (`KVME_TYPE_GUARD`).
    Guard,
    /// Something that is not anonymous memory and has no name: a file whose
    /// path the kernel could not find (unlinked, say), a device's memory,
    /// physical memory such as FreeBSD's shared page.
    /// [`Entry::object_type`](crate::Entry::object_type) says which.
    Unnamed,
    /// Anonymous memory.
    Anonymous,
}

impl<'a> MapPath<'a> {
    /// What the record says, FreeBSD's way.
    pub(crate) fn of_entry(entry: &'a Entry) -> Self {
        let flags = entry.flags();
        if let Some(name) = entry.kve_path_bytes() {
            return if flags.contains(EntryFlags::POSIXSHM) {
                Self::PosixShm(name)
            } else {
                Self::File(name)
            };
        }
        if entry.object_type() == ObjectType::Guard {
            Self::Guard
        } else if flags.contains(EntryFlags::SYSVSHM) {
            Self::SysVShm
        } else if flags.intersects(EntryFlags::GROWS_DOWN | EntryFlags::GROWS_UP) {
            Self::Stack
        } else if is_anonymous(entry.object_type()) {
            Self::Anonymous
        } else {
            Self::Unnamed
        }
    }

    /// What one of Linux's own names says (`[heap]`, `[stack]`, ...).
    /// A file's Linux name (its path, with ` (deleted)` once unlinked) is
    /// a `File` when the entry is a vnode.
    pub(crate) fn of_linux_name(name: &'a [u8], object_type: ObjectType) -> Self {
        match name {
            b"[heap]" => Self::Heap,
            // `[stack:TID]` is a thread's stack, as kernels before 4.5 wrote it.
            b"[stack]" => Self::Stack,
            _ if name.starts_with(b"[stack:") => Self::Stack,
            b"[vdso]" => Self::Vdso,
            [b'/', ..] if object_type == ObjectType::Vnode => Self::File(name),
            _ => Self::Named(name),
        }
    }

    /// A file's path, as a [`Path`](std::path::Path); `None` for anything
    /// but a [`File`](Self::File).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::MapPath;
    /// use std::path::Path;
    ///
    /// assert_eq!(MapPath::File(b"/bin/sh").path(), Some(Path::new("/bin/sh")));
    /// assert_eq!(MapPath::PosixShm(b"/shm").path(), None);
    /// ```
    #[cfg(feature = "std")]
    pub fn path(&self) -> Option<&'a std::path::Path> {
        match *self {
            Self::File(bytes) => Some(crate::entry::bytes_as_path(bytes)),
            _ => None,
        }
    }
}

/// Names as text (escaped where they are not ASCII), not lists of bytes.
impl fmt::Debug for MapPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (variant, name) = match *self {
            Self::File(name) => ("File", name),
            Self::PosixShm(name) => ("PosixShm", name),
            Self::Named(name) => ("Named", name),
            Self::SysVShm => return f.write_str("SysVShm"),
            Self::Stack => return f.write_str("Stack"),
            Self::Heap => return f.write_str("Heap"),
            Self::Vdso => return f.write_str("Vdso"),
            Self::Guard => return f.write_str("Guard"),
            Self::Unnamed => return f.write_str("Unnamed"),
            Self::Anonymous => return f.write_str("Anonymous"),
        };
        f.debug_tuple(variant)
            .field(&format_args!("\"{}\"", name.escape_ascii()))
            .finish()
    }
}

/// Object types that hold nothing but anonymous memory when they have no
/// name: a dead object is the remains of one.
fn is_anonymous(object_type: ObjectType) -> bool {
    matches!(
        object_type,
        ObjectType::NoObject | ObjectType::Default | ObjectType::Swap | ObjectType::Dead
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::*;

    /// Asserts what a record with these fields maps.
    fn assert_maps(kve_type: i32, flags: i32, path: &[u8], want: MapPath<'_>) {
        let mut raw = kinfo_vmentry::zeroed();
        raw.kve_type = kve_type;
        raw.kve_flags = flags;
        for (slot, &byte) in raw.kve_path.iter_mut().zip(path) {
            *slot = byte as core::ffi::c_char;
        }
        let got = Entry::from_raw(&raw).map_path();
        assert_eq!(got, want, "{kve_type} {flags:#x}");
    }

    #[test]
    fn freebsd_records_name_what_they_map() {
        let cases = [
            (
                KVME_TYPE_VNODE,
                0,
                &b"/lib/libc.so.7"[..],
                MapPath::File(b"/lib/libc.so.7"),
            ),
            (
                KVME_TYPE_SWAP,
                0,
                b"/tmp/on-tmpfs",
                MapPath::File(b"/tmp/on-tmpfs"),
            ),
            (
                KVME_TYPE_SWAP,
                KVME_FLAG_POSIXSHM,
                b"/shm",
                MapPath::PosixShm(b"/shm"),
            ),
            (KVME_TYPE_SWAP, KVME_FLAG_SYSVSHM, b"", MapPath::SysVShm),
            (KVME_TYPE_SWAP, KVME_FLAG_GROWS_DOWN, b"", MapPath::Stack),
            (KVME_TYPE_NONE, KVME_FLAG_GROWS_UP, b"", MapPath::Stack),
            (KVME_TYPE_GUARD, 0, b"", MapPath::Guard),
            (KVME_TYPE_SWAP, KVME_FLAG_COW, b"", MapPath::Anonymous),
            (KVME_TYPE_DEFAULT, 0, b"", MapPath::Anonymous),
            (KVME_TYPE_NONE, 0, b"", MapPath::Anonymous),
            (KVME_TYPE_DEAD, 0, b"", MapPath::Anonymous),
            (KVME_TYPE_VNODE, 0, b"", MapPath::Unnamed),
            (KVME_TYPE_PHYS, 0, b"", MapPath::Unnamed),
            (KVME_TYPE_DEVICE, 0, b"", MapPath::Unnamed),
            (KVME_TYPE_UNKNOWN, 0, b"", MapPath::Unnamed),
        ];
        for (kve_type, flags, path, want) in cases {
            assert_maps(kve_type, flags, path, want);
        }
    }

    #[test]
    fn linux_names_name_what_they_map() {
        let swap = ObjectType::Swap;
        assert_eq!(MapPath::of_linux_name(b"[heap]", swap), MapPath::Heap);
        assert_eq!(MapPath::of_linux_name(b"[stack]", swap), MapPath::Stack);
        assert_eq!(
            MapPath::of_linux_name(b"[stack:1234]", swap),
            MapPath::Stack
        );
        assert_eq!(
            MapPath::of_linux_name(b"[vdso]", ObjectType::Physical),
            MapPath::Vdso
        );
        assert_eq!(
            MapPath::of_linux_name(b"[anon:buffer]", swap),
            MapPath::Named(b"[anon:buffer]")
        );
        // An unlinked file is still a file; shared anonymous memory, which
        // Linux names like one, is not.
        assert_eq!(
            MapPath::of_linux_name(b"/tmp/x (deleted)", ObjectType::Vnode),
            MapPath::File(b"/tmp/x (deleted)")
        );
        assert_eq!(
            MapPath::of_linux_name(b"/dev/zero (deleted)", swap),
            MapPath::Named(b"/dev/zero (deleted)")
        );
    }

    #[test]
    fn debug_prints_names_as_text() {
        assert_eq!(
            format!("{:?}", MapPath::File(b"/a\xff")),
            r#"File("/a\xff")"#
        );
        assert_eq!(format!("{:?}", MapPath::Anonymous), "Anonymous");
        assert_eq!(
            format!("{:?}", MapPath::Named(b"[vvar]")),
            r#"Named("[vvar]")"#
        );
    }

    #[test]
    fn only_a_file_is_a_path() {
        use std::path::Path;
        assert_eq!(MapPath::File(b"/a b").path(), Some(Path::new("/a b")));
        for other in [
            MapPath::PosixShm(b"/s"),
            MapPath::Named(b"[vvar]"),
            MapPath::Heap,
        ] {
            assert_eq!(other.path(), None);
        }
    }
}
