//! What a Linux mapping is, in FreeBSD's terms: its `kve_type`, the shared
//! memory flags, and what `kve_path` may show of its name.
//!
//! Decided from the name the kernel printed and, when a `stat` hook
//! confirmed the file, from its attributes; with no attributes (saved text,
//! or a file `stat` could not confirm) the name alone decides. The rules
//! follow what FreeBSD's kernel reports for the same kind of memory, so
//! that code written against FreeBSD reads a Linux map the same way:
//! `kve_path` holds a path only for files and devices.
//!
//! Linux's numbers (the `dev_t` encoding, the `st_mode` type bits) are
//! written out here, not taken from the host's libc, so that saved text
//! gives the same entries on every system.

use core::ffi::c_int;

use crate::abi::{
    KVME_FLAG_POSIXSHM, KVME_FLAG_SYSVSHM, KVME_TYPE_DEVICE, KVME_TYPE_PHYS, KVME_TYPE_SWAP,
    KVME_TYPE_VNODE,
};

use crate::abi::{
    KF_VTYPE_UNKNOWN, KF_VTYPE_VBLK, KF_VTYPE_VCHR, KF_VTYPE_VDIR, KF_VTYPE_VFIFO, KF_VTYPE_VLNK,
    KF_VTYPE_VREG, KF_VTYPE_VSOCK,
};

/// The file type bits of Linux's `st_mode` (`include/uapi/linux/stat.h`).
pub(crate) const S_IFMT: u32 = 0o170_000;
pub(crate) const S_IFSOCK: u32 = 0o140_000;
pub(crate) const S_IFLNK: u32 = 0o120_000;
pub(crate) const S_IFREG: u32 = 0o100_000;
pub(crate) const S_IFBLK: u32 = 0o060_000;
pub(crate) const S_IFDIR: u32 = 0o040_000;
pub(crate) const S_IFCHR: u32 = 0o020_000;
pub(crate) const S_IFIFO: u32 = 0o010_000;

/// Mappings the kernel installs itself, FreeBSD's shared page's kin.
pub(crate) const KERNEL_PSEUDO_NAMES: [&[u8]; 7] = [
    b"[vvar]",
    b"[vvar_vclock]",
    b"[vdso]",
    b"[vsyscall]",
    b"[uprobes]",
    b"[vectors]",
    b"[sigpage]",
];

/// What the kernel appends to the name of an unlinked file.
const DELETED: &[u8] = b" (deleted)";

/// The tmpfs where glibc's `shm_open` keeps POSIX shared memory; what
/// follows it, from its `/`, is the name `shm_open` was given.
const SHM_DIR: &[u8] = b"/dev/shm";

/// Linux's `dev_t` of `major:minor`, as the kernel's `new_encode_dev` and
/// glibc's `makedev` make it (`kve_vn_fsid` is a `dev_t` of the system
/// that mapped the file, whatever system reads the text).
pub(crate) const fn makedev(major: u32, minor: u32) -> u64 {
    let (major, minor) = (major as u64, minor as u64);
    (major & 0x0000_0fff) << 8
        | (major & 0xffff_f000) << 32
        | (minor & 0x0000_00ff)
        | (minor & 0xffff_ff00) << 12
}

/// What `stat(2)` says of a mapped file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VnAttrs {
    pub size: u64,
    /// Linux's `st_mode`: the type bits (`S_IF*`) and the permissions.
    pub mode: u32,
    pub rdev: u64,
}

/// What a mapping is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Class {
    pub kve_type: c_int,
    /// `KVME_FLAG_SYSVSHM` or `KVME_FLAG_POSIXSHM`, or 0.
    pub shm_flags: c_int,
    /// Where `kve_path` starts in the name, or `None` for an empty path.
    pub path_from: Option<usize>,
    /// Whether the `stat` attributes belong in the entry: FreeBSD has them
    /// only for vnodes (and this crate for devices too), never for
    /// anonymous memory that merely borrowed a file's name.
    pub keeps_attrs: bool,
}

impl Class {
    const fn anonymous(shm_flags: c_int) -> Self {
        Self {
            kve_type: KVME_TYPE_SWAP,
            shm_flags,
            path_from: None,
            keeps_attrs: false,
        }
    }
}

/// The class of a mapping named `name` (unescaped), with its attributes
/// when `stat` confirmed it is the mapped file.
pub(crate) fn classify(name: &[u8], attrs: Option<&VnAttrs>) -> Class {
    const ZERO: u64 = makedev(1, 5);
    let file = |kve_type| Class {
        kve_type,
        shm_flags: 0,
        path_from: Some(0),
        keeps_attrs: true,
    };
    if let Some(attrs) = attrs {
        return match attrs.mode & S_IFMT {
            // A private mapping of /dev/zero is anonymous memory, on Linux
            // as on FreeBSD; the device only lends it its name.
            S_IFCHR if attrs.rdev == ZERO => Class::anonymous(0),
            S_IFCHR | S_IFBLK => file(KVME_TYPE_DEVICE),
            _ => posix_shm(name).unwrap_or(file(KVME_TYPE_VNODE)),
        };
    }
    match name {
        [] => Class::anonymous(0),
        [b'[', ..] if KERNEL_PSEUDO_NAMES.contains(&name) => Class {
            kve_type: KVME_TYPE_PHYS,
            ..Class::anonymous(0)
        },
        // [heap], [stack], [anon:name], [anon_shmem:name], ...
        [b'[', ..] => Class::anonymous(0),
        // Shared anonymous memory lives in unlinked files of an internal
        // tmpfs; the kernel names them thus.
        b"/dev/zero (deleted)" | b"/anon_hugepage (deleted)" => Class::anonymous(0),
        _ if is_sysv_shm(name) => Class::anonymous(KVME_FLAG_SYSVSHM),
        _ => posix_shm(name).unwrap_or_else(|| file_by_name(name)),
    }
}

/// A file no `stat` confirmed, by its name.
fn file_by_name(name: &[u8]) -> Class {
    let path_from = match name {
        // An unlinked file: FreeBSD's path lookup fails for its vnode, and
        // it reports the vnode with an empty path.
        _ if name.ends_with(DELETED) => None,
        [b'/', ..] => Some(0),
        // `anon_inode:[perf_event]` and the like name no file a path could
        // reach.
        _ => None,
    };
    Class {
        kve_type: KVME_TYPE_VNODE,
        shm_flags: 0,
        path_from,
        keeps_attrs: true,
    }
}

/// `/SYSV%08x`, the name ipc/shm.c gives a segment, with the ` (deleted)`
/// that always follows (its file is never linked).
fn is_sysv_shm(name: &[u8]) -> bool {
    let name = name.strip_suffix(DELETED).unwrap_or(name);
    match name.strip_prefix(b"/SYSV") {
        Some(key) => key.len() == 8 && key.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
        None => false,
    }
}

/// A file under `/dev/shm`: POSIX shared memory, which FreeBSD reports as
/// a swap object with `KVME_FLAG_POSIXSHM` and the `shm_open` name
/// (`/name`) as its path; an unlinked one (`shm_unlink`) has none.
fn posix_shm(name: &[u8]) -> Option<Class> {
    let shm_name = name.strip_prefix(SHM_DIR)?;
    if shm_name.len() < 2 || shm_name.first() != Some(&b'/') {
        return None;
    }
    let path_from = (!name.ends_with(DELETED)).then_some(SHM_DIR.len());
    Some(Class {
        path_from,
        ..Class::anonymous(KVME_FLAG_POSIXSHM)
    })
}

/// FreeBSD's `KF_VTYPE_*` for a Linux `st_mode`.
pub(crate) fn vn_type(mode: u32) -> c_int {
    match mode & S_IFMT {
        S_IFREG => KF_VTYPE_VREG,
        S_IFDIR => KF_VTYPE_VDIR,
        S_IFBLK => KF_VTYPE_VBLK,
        S_IFCHR => KF_VTYPE_VCHR,
        S_IFLNK => KF_VTYPE_VLNK,
        S_IFSOCK => KF_VTYPE_VSOCK,
        S_IFIFO => KF_VTYPE_VFIFO,
        _ => KF_VTYPE_UNKNOWN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The type, the shm flags and the C path of `name`.
    fn summary(name: &[u8], attrs: Option<&VnAttrs>) -> (c_int, c_int, Vec<u8>) {
        let class = classify(name, attrs);
        let path = class.path_from.map_or(&[][..], |from| &name[from..]);
        (class.kve_type, class.shm_flags, path.to_vec())
    }

    #[test]
    fn names_decide_the_type_and_path_when_stat_cannot() {
        let swap = KVME_TYPE_SWAP;
        let vnode = KVME_TYPE_VNODE;
        for (name, want) in [
            (&b""[..], (swap, 0, &b""[..])),
            (b"[heap]", (swap, 0, b"")),
            (b"[stack]", (swap, 0, b"")),
            (b"[anon:buffers]", (swap, 0, b"")),
            (b"[vdso]", (KVME_TYPE_PHYS, 0, b"")),
            (b"[vvar]", (KVME_TYPE_PHYS, 0, b"")),
            (b"[vvar_vclock]", (KVME_TYPE_PHYS, 0, b"")),
            (b"[vsyscall]", (KVME_TYPE_PHYS, 0, b"")),
            (b"[uprobes]", (KVME_TYPE_PHYS, 0, b"")),
            (b"/dev/zero (deleted)", (swap, 0, b"")),
            (b"/anon_hugepage (deleted)", (swap, 0, b"")),
            (b"/SYSV1234abcd (deleted)", (swap, KVME_FLAG_SYSVSHM, b"")),
            (b"/SYSV1234abc (deleted)", (vnode, 0, b"")),
            (b"/SYSV1234ABCD (deleted)", (vnode, 0, b"")),
            (b"/dev/shm/x", (swap, KVME_FLAG_POSIXSHM, b"/x")),
            (b"/dev/shm/x (deleted)", (swap, KVME_FLAG_POSIXSHM, b"")),
            (b"/dev/shm/", (vnode, 0, b"/dev/shm/")),
            (b"/dev/shmem", (vnode, 0, b"/dev/shmem")),
            (b"/memfd:x (deleted)", (vnode, 0, b"")),
            (b"/tmp/x (deleted)", (vnode, 0, b"")),
            (b"/usr/lib/libc.so.6", (vnode, 0, b"/usr/lib/libc.so.6")),
            (b"anon_inode:[perf_event]", (vnode, 0, b"")),
        ] {
            let (kve_type, shm_flags, path) = want;
            assert_eq!(
                summary(name, None),
                (kve_type, shm_flags, path.to_vec()),
                "{}",
                String::from_utf8_lossy(name)
            );
        }
    }

    #[test]
    fn attributes_decide_when_stat_confirmed_the_file() {
        let device = |mode, rdev| VnAttrs {
            size: 0,
            mode,
            rdev,
        };
        let blk = device(S_IFBLK | 0o660, makedev(8, 0));
        let fb = device(S_IFCHR | 0o660, makedev(29, 0));
        let zero = device(S_IFCHR | 0o666, makedev(1, 5));
        let file = device(S_IFREG | 0o644, 0);
        let device = (KVME_TYPE_DEVICE, 0);
        assert_eq!(
            summary(b"/dev/sda", Some(&blk)),
            (device.0, 0, b"/dev/sda".to_vec())
        );
        assert_eq!(
            summary(b"/dev/fb0", Some(&fb)),
            (device.0, 0, b"/dev/fb0".to_vec())
        );
        let zero = classify(b"/dev/zero", Some(&zero));
        assert_eq!((zero.kve_type, zero.path_from), (KVME_TYPE_SWAP, None));
        assert!(!zero.keeps_attrs);
        let shm = classify(b"/dev/shm/y", Some(&file));
        assert_eq!(
            (shm.kve_type, shm.shm_flags, shm.path_from, shm.keeps_attrs),
            (KVME_TYPE_SWAP, KVME_FLAG_POSIXSHM, Some(8), false)
        );
        // A file really named "x (deleted)", confirmed by stat, keeps it.
        assert_eq!(
            summary(b"/tmp/x (deleted)", Some(&file)),
            (KVME_TYPE_VNODE, 0, b"/tmp/x (deleted)".to_vec())
        );
    }

    #[test]
    fn vnode_types_follow_freebsds_numbering() {
        for (mode, want) in [
            (S_IFREG, 1),
            (S_IFDIR, 2),
            (S_IFBLK, 3),
            (S_IFCHR, 4),
            (S_IFLNK, 5),
            (S_IFSOCK, 6),
            (S_IFIFO, 7),
            (0, 255),
        ] {
            assert_eq!(vn_type(mode | 0o755), want);
        }
    }

    #[test]
    fn devices_are_encoded_as_glibc_encodes_them() {
        assert_eq!(makedev(8, 1), 0x801);
        assert_eq!(makedev(0x1234_5678, 0x9abc_def0), 0x1234_59ab_cde6_78f0);
        #[cfg(target_os = "linux")]
        for (major, minor) in [(0, 0), (8, 1), (259, 3), (4095, 255), (u32::MAX, u32::MAX)] {
            assert_eq!(makedev(major, minor), libc::makedev(major, minor));
        }
    }
}
