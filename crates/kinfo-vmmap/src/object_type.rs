//! `ObjectType`: what kind of VM object backs an entry, the `KVME_TYPE_*`
//! value of `kve_type` as an enum.
//!
//! The enum is `#[non_exhaustive]` and keeps any value it has no variant
//! for in `Unknown`, so a kernel newer than the crate (or CheriBSD, with its
//! own types) is reported, not rejected, and `as_raw` always gives back the
//! value that was read.

use core::ffi::c_int;

use crate::abi::{
    KVME_TYPE_DEAD, KVME_TYPE_DEFAULT, KVME_TYPE_DEVICE, KVME_TYPE_GUARD, KVME_TYPE_MGTDEVICE,
    KVME_TYPE_NONE, KVME_TYPE_PHYS, KVME_TYPE_SG, KVME_TYPE_SWAP, KVME_TYPE_VNODE,
};

/// The kind of VM object behind an entry (`kve_type`).
///
/// # Examples
///
/// ```
/// use kinfo_vmmap::ObjectType;
/// use kinfo_vmmap::abi::KVME_TYPE_VNODE;
///
/// let kind = ObjectType::from_raw(KVME_TYPE_VNODE);
/// assert_eq!(kind, ObjectType::Vnode);
/// assert_eq!((kind.as_raw(), kind.abbreviation()), (KVME_TYPE_VNODE, "vn"));
/// assert_eq!(ObjectType::from_raw(77), ObjectType::Unknown(77));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectType {
    /// No object: an entry nothing backs yet (`KVME_TYPE_NONE`).
    NoObject,
    /// Anonymous memory as kernels before FreeBSD 13 named it
    /// (`KVME_TYPE_DEFAULT`); newer ones say `Swap`.
    Default,
    /// A file (`KVME_TYPE_VNODE`).
    Vnode,
    /// Anonymous memory, swap-backed (`KVME_TYPE_SWAP`); also tmpfs files
    /// and shared memory.
    Swap,
    /// A device's memory (`KVME_TYPE_DEVICE`).
    Device,
    /// Physical memory, such as FreeBSD's shared page (`KVME_TYPE_PHYS`).
    Physical,
    /// An object whose owner is gone (`KVME_TYPE_DEAD`).
    Dead,
    /// A scatter/gather list (`KVME_TYPE_SG`).
    ScatterGather,
    /// A managed device's memory (`KVME_TYPE_MGTDEVICE`).
    ManagedDevice,
    /// A guard entry, which no access may touch (`KVME_TYPE_GUARD`).
    Guard,
    /// `KVME_TYPE_UNKNOWN` (255), or a value this crate has no name for.
    Unknown(i32),
}

impl ObjectType {
    /// The type a `kve_type` value names.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::ObjectType;
    ///
    /// assert_eq!(ObjectType::from_raw(3), ObjectType::Swap);
    /// assert_eq!(ObjectType::from_raw(255), ObjectType::Unknown(255));
    /// ```
    pub const fn from_raw(kve_type: c_int) -> Self {
        match kve_type {
            KVME_TYPE_NONE => Self::NoObject,
            KVME_TYPE_DEFAULT => Self::Default,
            KVME_TYPE_VNODE => Self::Vnode,
            KVME_TYPE_SWAP => Self::Swap,
            KVME_TYPE_DEVICE => Self::Device,
            KVME_TYPE_PHYS => Self::Physical,
            KVME_TYPE_DEAD => Self::Dead,
            KVME_TYPE_SG => Self::ScatterGather,
            KVME_TYPE_MGTDEVICE => Self::ManagedDevice,
            KVME_TYPE_GUARD => Self::Guard,
            other => Self::Unknown(other),
        }
    }

    /// The `kve_type` value: the inverse of [`from_raw`](Self::from_raw).
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::ObjectType;
    ///
    /// assert_eq!(ObjectType::Guard.as_raw(), kinfo_vmmap::abi::KVME_TYPE_GUARD);
    /// ```
    pub const fn as_raw(self) -> c_int {
        match self {
            Self::NoObject => KVME_TYPE_NONE,
            Self::Default => KVME_TYPE_DEFAULT,
            Self::Vnode => KVME_TYPE_VNODE,
            Self::Swap => KVME_TYPE_SWAP,
            Self::Device => KVME_TYPE_DEVICE,
            Self::Physical => KVME_TYPE_PHYS,
            Self::Dead => KVME_TYPE_DEAD,
            Self::ScatterGather => KVME_TYPE_SG,
            Self::ManagedDevice => KVME_TYPE_MGTDEVICE,
            Self::Guard => KVME_TYPE_GUARD,
            Self::Unknown(other) => other,
        }
    }

    /// The two letters `procstat -v` prints in its `TP` column: `vn`, `sw`,
    /// `--` for no object, `??` for an unknown type, and so on.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::ObjectType;
    ///
    /// assert_eq!(ObjectType::Swap.abbreviation(), "sw");
    /// assert_eq!(ObjectType::NoObject.abbreviation(), "--");
    /// ```
    pub const fn abbreviation(self) -> &'static str {
        match self {
            Self::NoObject => "--",
            Self::Default => "df",
            Self::Vnode => "vn",
            Self::Swap => "sw",
            Self::Device => "dv",
            Self::Physical => "ph",
            Self::Dead => "dd",
            Self::ScatterGather => "sg",
            Self::ManagedDevice => "md",
            Self::Guard => "gd",
            Self::Unknown(_) => "??",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::KVME_TYPE_UNKNOWN;

    #[test]
    fn every_kvme_type_has_its_variant_and_round_trips() {
        let all = [
            (KVME_TYPE_NONE, ObjectType::NoObject, "--"),
            (KVME_TYPE_DEFAULT, ObjectType::Default, "df"),
            (KVME_TYPE_VNODE, ObjectType::Vnode, "vn"),
            (KVME_TYPE_SWAP, ObjectType::Swap, "sw"),
            (KVME_TYPE_DEVICE, ObjectType::Device, "dv"),
            (KVME_TYPE_PHYS, ObjectType::Physical, "ph"),
            (KVME_TYPE_DEAD, ObjectType::Dead, "dd"),
            (KVME_TYPE_SG, ObjectType::ScatterGather, "sg"),
            (KVME_TYPE_MGTDEVICE, ObjectType::ManagedDevice, "md"),
            (KVME_TYPE_GUARD, ObjectType::Guard, "gd"),
            (KVME_TYPE_UNKNOWN, ObjectType::Unknown(255), "??"),
        ];
        for (raw, kind, letters) in all {
            assert_eq!(ObjectType::from_raw(raw), kind);
            assert_eq!(kind.as_raw(), raw);
            assert_eq!(kind.abbreviation(), letters);
        }
        for raw in [-1, 10, 254, 256, i32::MIN, i32::MAX] {
            assert_eq!(ObjectType::from_raw(raw), ObjectType::Unknown(raw));
            assert_eq!(ObjectType::from_raw(raw).as_raw(), raw);
        }
    }

    #[test]
    fn debug_prints_the_name() {
        assert_eq!(format!("{:?}", ObjectType::Vnode), "Vnode");
        assert_eq!(format!("{:?}", ObjectType::Unknown(42)), "Unknown(42)");
    }
}
