//! The attributes of a mapped file: `VnodeAttrs`, and its `VnodeType` (the
//! `KF_VTYPE_*` value of `kve_vn_type`).
//!
//! The kernel fills `kve_vn_*` only when it could read the vnode's
//! attributes, and says so with `KF_ATTR_VALID` in `kve_status`; otherwise
//! the fields are zeros that look like real values (inode 0, mode 0). So the
//! typed view hands them out as one `Option`, never field by field.

use core::ffi::c_int;

use crate::abi::{
    KF_VTYPE_VBAD, KF_VTYPE_VBLK, KF_VTYPE_VCHR, KF_VTYPE_VDIR, KF_VTYPE_VFIFO, KF_VTYPE_VLNK,
    KF_VTYPE_VNON, KF_VTYPE_VREG, KF_VTYPE_VSOCK,
};

/// The type of a mapped vnode (`kve_vn_type`).
///
/// # Examples
///
/// ```
/// use kinfo_vmmap::VnodeType;
///
/// assert_eq!(VnodeType::from_raw(1), VnodeType::Regular);
/// assert_eq!(VnodeType::CharacterDevice.as_raw(), 4);
/// assert_eq!(VnodeType::from_raw(255), VnodeType::Unknown(255));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VnodeType {
    /// No type (`KF_VTYPE_VNON`).
    NoType,
    /// A regular file (`KF_VTYPE_VREG`).
    Regular,
    /// A directory (`KF_VTYPE_VDIR`).
    Directory,
    /// A block device (`KF_VTYPE_VBLK`).
    BlockDevice,
    /// A character device, such as `/dev/zero` (`KF_VTYPE_VCHR`).
    CharacterDevice,
    /// A symbolic link (`KF_VTYPE_VLNK`).
    Symlink,
    /// A socket (`KF_VTYPE_VSOCK`).
    Socket,
    /// A named pipe (`KF_VTYPE_VFIFO`).
    Fifo,
    /// A vnode whose file system is gone, as after a forced unmount
    /// (`KF_VTYPE_VBAD`).
    Bad,
    /// `KF_VTYPE_UNKNOWN` (255), or a value this crate has no name for.
    Unknown(i32),
}

impl VnodeType {
    /// The type a `kve_vn_type` value names; one without a variant is
    /// `Unknown`.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::VnodeType;
    ///
    /// assert_eq!(VnodeType::from_raw(2), VnodeType::Directory);
    /// ```
    pub const fn from_raw(kve_vn_type: c_int) -> Self {
        match kve_vn_type {
            KF_VTYPE_VNON => Self::NoType,
            KF_VTYPE_VREG => Self::Regular,
            KF_VTYPE_VDIR => Self::Directory,
            KF_VTYPE_VBLK => Self::BlockDevice,
            KF_VTYPE_VCHR => Self::CharacterDevice,
            KF_VTYPE_VLNK => Self::Symlink,
            KF_VTYPE_VSOCK => Self::Socket,
            KF_VTYPE_VFIFO => Self::Fifo,
            KF_VTYPE_VBAD => Self::Bad,
            other => Self::Unknown(other),
        }
    }

    /// The `kve_vn_type` value: the inverse of [`from_raw`](Self::from_raw).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::VnodeType;
    ///
    /// assert_eq!(VnodeType::Fifo.as_raw(), 7);
    /// ```
    pub const fn as_raw(self) -> c_int {
        match self {
            Self::NoType => KF_VTYPE_VNON,
            Self::Regular => KF_VTYPE_VREG,
            Self::Directory => KF_VTYPE_VDIR,
            Self::BlockDevice => KF_VTYPE_VBLK,
            Self::CharacterDevice => KF_VTYPE_VCHR,
            Self::Symlink => KF_VTYPE_VLNK,
            Self::Socket => KF_VTYPE_VSOCK,
            Self::Fifo => KF_VTYPE_VFIFO,
            Self::Bad => KF_VTYPE_VBAD,
            Self::Unknown(other) => other,
        }
    }
}

/// The attributes of a mapped file, as the kernel read them from its vnode.
/// [`Entry::vnode_attrs`](crate::Entry::vnode_attrs) gives them only when
/// `kve_status` has `KF_ATTR_VALID`.
///
/// # Examples
///
/// ```
/// use kinfo_vmmap::{Entry, VnodeType, abi::{kinfo_vmentry, KF_ATTR_VALID}};
///
/// let mut raw = kinfo_vmentry::zeroed();
/// raw.kve_vn_fileid = 42;
/// raw.kve_vn_mode = 0o100644;
/// raw.kve_vn_type = 1;
/// assert_eq!(Entry::from_raw(&raw).vnode_attrs(), None);
/// raw.kve_status = KF_ATTR_VALID;
/// let attrs = Entry::from_raw(&raw).vnode_attrs().unwrap();
/// assert_eq!((attrs.fileid, attrs.mode, attrs.vnode_type), (42, 0o100644, VnodeType::Regular));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct VnodeAttrs {
    /// The file's inode number (`kve_vn_fileid`).
    pub fileid: u64,
    /// The id of the file system holding it (`kve_vn_fsid`).
    pub fsid: u64,
    /// Its mode: the file type bits and the permissions, as `st_mode`
    /// (`kve_vn_mode`).
    pub mode: u16,
    /// Its size in bytes (`kve_vn_size`).
    pub size: u64,
    /// The device it is, for a device file (`kve_vn_rdev`).
    pub rdev: u64,
    /// The vnode's type (`kve_vn_type`).
    pub vnode_type: VnodeType,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kf_vtype_has_its_variant_and_round_trips() {
        let all = [
            (0, VnodeType::NoType),
            (1, VnodeType::Regular),
            (2, VnodeType::Directory),
            (3, VnodeType::BlockDevice),
            (4, VnodeType::CharacterDevice),
            (5, VnodeType::Symlink),
            (6, VnodeType::Socket),
            (7, VnodeType::Fifo),
            (8, VnodeType::Bad),
            (255, VnodeType::Unknown(255)),
            (9, VnodeType::Unknown(9)),
            (-1, VnodeType::Unknown(-1)),
        ];
        for (raw, kind) in all {
            assert_eq!(VnodeType::from_raw(raw), kind);
            assert_eq!(kind.as_raw(), raw);
        }
        assert_eq!(format!("{:?}", VnodeType::Regular), "Regular");
    }
}
