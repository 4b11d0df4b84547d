//! The bit sets of an entry: its protection (current and maximum) and its
//! `KVME_FLAG_*` flags, as `bitflags` types.
//!
//! Every set keeps the bits it has no name for (`const _ = !0`, as rustix's
//! `ProtFlags` does): a newer kernel, or CheriBSD with its capability
//! protections, may set bits this crate has never heard of, and a typed view
//! that dropped them would print and compare something the kernel never
//! said. `bits()` gives back exactly what was read.

use crate::abi::{
    KVME_FLAG_COW, KVME_FLAG_GROWS_DOWN, KVME_FLAG_GROWS_UP, KVME_FLAG_NEEDS_COPY,
    KVME_FLAG_NOCOREDUMP, KVME_FLAG_POSIXSHM, KVME_FLAG_SUPER, KVME_FLAG_SYSVSHM,
    KVME_FLAG_USER_WIRED, KVME_PROT_EXEC, KVME_PROT_READ, KVME_PROT_WRITE,
};

bitflags::bitflags! {
    /// Access rights to an entry's pages: the `KVME_PROT_*` bits of
    /// `kve_protection`, or the `KVME_MAX_PROT_*` bits shifted down to the
    /// same places. Unknown bits are kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::Protection;
    ///
    /// let prot = Protection::READ | Protection::EXEC;
    /// assert!(prot.contains(Protection::READ) && !prot.contains(Protection::WRITE));
    /// assert_eq!(format!("{prot:?}"), "Protection(READ | EXEC)");
    /// // A bit without a name survives the round trip.
    /// assert_eq!(Protection::from_bits_retain(0x9).bits(), 0x9);
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct Protection: u32 {
        /// The pages may be read (`KVME_PROT_READ`).
        const READ = KVME_PROT_READ as u32;
        /// The pages may be written (`KVME_PROT_WRITE`).
        const WRITE = KVME_PROT_WRITE as u32;
        /// The pages may be executed (`KVME_PROT_EXEC`).
        const EXEC = KVME_PROT_EXEC as u32;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// The `KVME_FLAG_*` bits of `kve_flags`. Unknown bits are kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::EntryFlags;
    ///
    /// let flags = EntryFlags::from_bits_retain(0x21);
    /// assert_eq!(flags, EntryFlags::COW | EntryFlags::GROWS_DOWN);
    /// assert_eq!(format!("{flags:?}"), "EntryFlags(COW | GROWS_DOWN)");
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct EntryFlags: u32 {
        /// Copy-on-write: a private mapping (`KVME_FLAG_COW`).
        const COW = KVME_FLAG_COW as u32;
        /// The private copy has not been made yet (`KVME_FLAG_NEEDS_COPY`).
        const NEEDS_COPY = KVME_FLAG_NEEDS_COPY as u32;
        /// Left out of core dumps (`KVME_FLAG_NOCOREDUMP`).
        const NOCOREDUMP = KVME_FLAG_NOCOREDUMP as u32;
        /// Backed at least in part by superpages (`KVME_FLAG_SUPER`).
        const SUPER = KVME_FLAG_SUPER as u32;
        /// Grows towards higher addresses (`KVME_FLAG_GROWS_UP`).
        const GROWS_UP = KVME_FLAG_GROWS_UP as u32;
        /// Grows towards lower addresses, as a stack (`KVME_FLAG_GROWS_DOWN`).
        const GROWS_DOWN = KVME_FLAG_GROWS_DOWN as u32;
        /// Wired by the user with mlock(2) (`KVME_FLAG_USER_WIRED`).
        const USER_WIRED = KVME_FLAG_USER_WIRED as u32;
        /// System V shared memory (`KVME_FLAG_SYSVSHM`).
        const SYSVSHM = KVME_FLAG_SYSVSHM as u32;
        /// POSIX shared memory from shm_open(2) (`KVME_FLAG_POSIXSHM`).
        const POSIXSHM = KVME_FLAG_POSIXSHM as u32;
        const _ = !0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_bit_is_the_abi_constant() {
        let named = [
            (Protection::READ.bits(), KVME_PROT_READ),
            (Protection::WRITE.bits(), KVME_PROT_WRITE),
            (Protection::EXEC.bits(), KVME_PROT_EXEC),
            (EntryFlags::COW.bits(), KVME_FLAG_COW),
            (EntryFlags::NEEDS_COPY.bits(), KVME_FLAG_NEEDS_COPY),
            (EntryFlags::NOCOREDUMP.bits(), KVME_FLAG_NOCOREDUMP),
            (EntryFlags::SUPER.bits(), KVME_FLAG_SUPER),
            (EntryFlags::GROWS_UP.bits(), KVME_FLAG_GROWS_UP),
            (EntryFlags::GROWS_DOWN.bits(), KVME_FLAG_GROWS_DOWN),
            (EntryFlags::USER_WIRED.bits(), KVME_FLAG_USER_WIRED),
            (EntryFlags::SYSVSHM.bits(), KVME_FLAG_SYSVSHM),
            (EntryFlags::POSIXSHM.bits(), KVME_FLAG_POSIXSHM),
        ];
        for (bits, constant) in named {
            assert_eq!(bits, constant as u32);
        }
    }

    #[test]
    fn unknown_bits_round_trip() {
        for bits in [0, 0x1ff, 0x8000_0200, u32::MAX] {
            assert_eq!(EntryFlags::from_bits_retain(bits).bits(), bits);
            assert_eq!(Protection::from_bits_retain(bits).bits(), bits);
        }
        let flags = EntryFlags::COW | EntryFlags::from_bits_retain(0x1000);
        assert!(flags.contains(EntryFlags::COW));
        assert_eq!(flags.bits(), 0x1001);
    }

    #[test]
    fn debug_prints_names_and_only_unknown_bits_as_numbers() {
        assert_eq!(format!("{:?}", Protection::empty()), "Protection(0x0)");
        assert_eq!(
            format!("{:?}", Protection::all()),
            "Protection(READ | WRITE | EXEC | 0xfffffff8)"
        );
        let flags = EntryFlags::USER_WIRED | EntryFlags::from_bits_retain(0x1000);
        assert_eq!(format!("{flags:?}"), "EntryFlags(USER_WIRED | 0x1000)");
    }
}
