//! The ABI of `struct kinfo_vmentry`, byte for byte as FreeBSD's `<sys/user.h>`
//! defines it, with every `KVME_*` constant, `KF_ATTR_VALID` and the
//! `KF_VTYPE_*` values of `kve_vn_type`.
//!
//! The struct is the one thing every caller of `kinfo_getvmmap(3)` reads, so
//! its layout is asserted at compile time, field by field, on every target:
//! FreeBSD uses the same layout on all of its architectures (every 64-bit
//! field falls on an 8-byte offset, so even i386's 4-byte alignment of
//! `uint64_t` changes nothing but the struct's alignment). On FreeBSD the
//! offsets are also checked against the `libc` crate's own definition.
//!
//! This file is also the source of the C header: cbindgen reads it. The items
//! live in a module gated on `kinfo_vmmap_system_header`, a cfg that is never
//! set when compiling, so Rust always sees them; cbindgen turns the gate into
//! `#if !defined(__FreeBSD__)`, so that on FreeBSD the header defers to the
//! system's `<sys/user.h>` instead of defining the struct a second time.
//!
//! A few constants are not in every FreeBSD's `<sys/user.h>`: 13.x and early
//! 14.x lack `KVME_TYPE_GUARD`, `KVME_MAX_PROT_*`, `KVME_FLAG_SYSVSHM` and
//! `KVME_FLAG_POSIXSHM`, and `KINFO_VMENTRY_SIZE` is defined on amd64 and
//! i386 only, though the size is the same everywhere. Each of those sits
//! outside the gated module, under a cfg of its own,
//! `kinfo_vmmap_system_defines = "NAME"`, also never set, which cbindgen
//! turns into `#if !defined(NAME)`: the header back-fills each one wherever
//! the system lacks it, FreeBSD included. (`KF_VTYPE_*` need no such care:
//! FreeBSD has had them since 7.x.)

#![allow(non_camel_case_types)]

#[cfg(not(kinfo_vmmap_system_header))]
mod def {
    use core::ffi::{c_char, c_int};

    /// The anonymous union `kve_type_spec` of FreeBSD's struct: the vnode's
    /// file system id for vnode entries, the VM object's handle otherwise.
    /// C code reaches it through the `kve_vn_fsid` and `kve_obj` macros.
    #[repr(C)]
    #[derive(Clone, Copy)]
    pub union kinfo_vmentry_type_spec {
        pub _kve_vn_fsid: u64,
        pub _kve_obj: u64,
    }

    /// One entry of a process's virtual memory map, as `kinfo_getvmmap(3)`
    /// returns it: FreeBSD's `struct kinfo_vmentry`, 1160 bytes.
    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct kinfo_vmentry {
        /// Size of this record; always `KINFO_VMENTRY_SIZE` in a returned array.
        pub kve_structsize: c_int,
        /// One of the `KVME_TYPE_*` constants.
        pub kve_type: c_int,
        /// First address of the entry.
        pub kve_start: u64,
        /// One past the last address of the entry.
        pub kve_end: u64,
        /// Offset into the mapped object.
        pub kve_offset: u64,
        /// Inode number of a mapped file.
        pub kve_vn_fileid: u64,
        /// File system id truncated to 32 bits, for FreeBSD 11 binaries.
        pub kve_vn_fsid_freebsd11: u32,
        /// `KVME_FLAG_*` bits.
        pub kve_flags: c_int,
        /// Resident pages.
        pub kve_resident: c_int,
        /// Resident pages private to this process.
        pub kve_private_resident: c_int,
        /// `KVME_PROT_*` and `KVME_MAX_PROT_*` bits.
        pub kve_protection: c_int,
        /// References to the VM object.
        pub kve_ref_count: c_int,
        /// Shadow objects of the VM object.
        pub kve_shadow_count: c_int,
        /// Vnode type (`KF_VTYPE_*` in FreeBSD's `<sys/user.h>`).
        pub kve_vn_type: c_int,
        /// Size of a mapped file.
        pub kve_vn_size: u64,
        /// Device number truncated to 32 bits, for FreeBSD 11 binaries.
        pub kve_vn_rdev_freebsd11: u32,
        /// File mode of a mapped file.
        pub kve_vn_mode: u16,
        /// `KF_ATTR_VALID` when the vnode attributes were read.
        pub kve_status: u16,
        /// File system id or VM object handle.
        pub kve_type_spec: kinfo_vmentry_type_spec,
        /// Device number of a mapped device file.
        pub kve_vn_rdev: u64,
        /// Reserved.
        pub _kve_ispare: [c_int; 8],
        /// Path of a mapped file or device, NUL-terminated; empty for
        /// anonymous memory, stacks, shared memory without a name and the
        /// kernel's pages. POSIX shared memory has its `shm_open` name
        /// (`/name`). On Linux a deleted file's path is empty too, as on
        /// FreeBSD, whose path lookup fails for an unlinked vnode.
        pub kve_path: [c_char; 1024],
    }

    pub const KVME_TYPE_NONE: c_int = 0;
    pub const KVME_TYPE_DEFAULT: c_int = 1;
    pub const KVME_TYPE_VNODE: c_int = 2;
    pub const KVME_TYPE_SWAP: c_int = 3;
    pub const KVME_TYPE_DEVICE: c_int = 4;
    pub const KVME_TYPE_PHYS: c_int = 5;
    pub const KVME_TYPE_DEAD: c_int = 6;
    pub const KVME_TYPE_SG: c_int = 7;
    pub const KVME_TYPE_MGTDEVICE: c_int = 8;
    pub const KVME_TYPE_UNKNOWN: c_int = 255;

    pub const KVME_PROT_READ: c_int = 0x0000_0001;
    pub const KVME_PROT_WRITE: c_int = 0x0000_0002;
    pub const KVME_PROT_EXEC: c_int = 0x0000_0004;

    pub const KVME_FLAG_COW: c_int = 0x0000_0001;
    pub const KVME_FLAG_NEEDS_COPY: c_int = 0x0000_0002;
    pub const KVME_FLAG_NOCOREDUMP: c_int = 0x0000_0004;
    pub const KVME_FLAG_SUPER: c_int = 0x0000_0008;
    pub const KVME_FLAG_GROWS_UP: c_int = 0x0000_0010;
    pub const KVME_FLAG_GROWS_DOWN: c_int = 0x0000_0020;
    pub const KVME_FLAG_USER_WIRED: c_int = 0x0000_0040;

    /// `kve_status` bit: the vnode attributes (`kve_vn_*`) are valid.
    pub const KF_ATTR_VALID: u16 = 0x0001;

    /// `kve_vn_type` values: the type of a mapped file's vnode.
    pub const KF_VTYPE_VNON: c_int = 0;
    pub const KF_VTYPE_VREG: c_int = 1;
    pub const KF_VTYPE_VDIR: c_int = 2;
    pub const KF_VTYPE_VBLK: c_int = 3;
    pub const KF_VTYPE_VCHR: c_int = 4;
    pub const KF_VTYPE_VLNK: c_int = 5;
    pub const KF_VTYPE_VSOCK: c_int = 6;
    pub const KF_VTYPE_VFIFO: c_int = 7;
    pub const KF_VTYPE_VBAD: c_int = 8;
    pub const KF_VTYPE_UNKNOWN: c_int = 255;
}

pub use def::*;

// What some FreeBSD releases or architectures lack; see the module docs.
// Back-filled one by one, each where the system does not define it.

/// `sizeof(struct kinfo_vmentry)`, on every architecture.
#[cfg(not(kinfo_vmmap_system_defines = "KINFO_VMENTRY_SIZE"))]
pub const KINFO_VMENTRY_SIZE: core::ffi::c_int = 1160;
/// A guard entry: no object, no access.
#[cfg(not(kinfo_vmmap_system_defines = "KVME_TYPE_GUARD"))]
pub const KVME_TYPE_GUARD: core::ffi::c_int = 9;
/// `kve_protection` bits: the most access the entry can be given.
#[cfg(not(kinfo_vmmap_system_defines = "KVME_MAX_PROT_READ"))]
pub const KVME_MAX_PROT_READ: core::ffi::c_int = 0x0001_0000;
#[cfg(not(kinfo_vmmap_system_defines = "KVME_MAX_PROT_WRITE"))]
pub const KVME_MAX_PROT_WRITE: core::ffi::c_int = 0x0002_0000;
#[cfg(not(kinfo_vmmap_system_defines = "KVME_MAX_PROT_EXEC"))]
pub const KVME_MAX_PROT_EXEC: core::ffi::c_int = 0x0004_0000;
/// System V shared memory.
#[cfg(not(kinfo_vmmap_system_defines = "KVME_FLAG_SYSVSHM"))]
pub const KVME_FLAG_SYSVSHM: core::ffi::c_int = 0x0000_0080;
/// POSIX shared memory (`shm_open(2)`).
#[cfg(not(kinfo_vmmap_system_defines = "KVME_FLAG_POSIXSHM"))]
pub const KVME_FLAG_POSIXSHM: core::ffi::c_int = 0x0000_0100;

/// The size of `kve_path`: `PATH_MAX` on FreeBSD.
pub const KVE_PATH_SIZE: usize = 1024;

/// `offsetof(struct kinfo_vmentry, kve_path)`: the fixed head of every packed
/// record the kernel writes, and so the smallest valid `kve_structsize`.
pub const KVE_HEADER_SIZE: usize = core::mem::offset_of!(kinfo_vmentry, kve_path);

/// `sizeof(struct kinfo_vmentry)` as a `usize`.
pub const ENTRY_SIZE: usize = core::mem::size_of::<kinfo_vmentry>();

impl kinfo_vmentry {
    /// An entry with every byte zero.
    pub const fn zeroed() -> Self {
        // SAFETY: every field is an integer, an array of integers or a union
        // of integers, for which the all-zero bit pattern is a valid value.
        unsafe { core::mem::zeroed() }
    }

    /// `kve_vn_fsid`: the union member C reaches through FreeBSD's macro.
    pub const fn kve_vn_fsid(&self) -> u64 {
        // SAFETY: both union members are `u64`, so either reading is valid
        // whatever was last written.
        unsafe { self.kve_type_spec._kve_vn_fsid }
    }

    /// `kve_path` up to its NUL (or the whole array if it has none).
    pub fn path_bytes(&self) -> &[u8] {
        // SAFETY: `c_char` and `u8` have the same size and alignment, and the
        // slice covers exactly the array.
        let bytes: &[u8; KVE_PATH_SIZE] = unsafe { &*(&raw const self.kve_path).cast() };
        let len = bytes.iter().position(|&c| c == 0).unwrap_or(KVE_PATH_SIZE);
        &bytes[..len]
    }

    /// `kve_path` as a path; empty for anonymous memory.
    #[cfg(feature = "std")]
    pub fn path(&self) -> &std::path::Path {
        use std::os::unix::ffi::OsStrExt;
        std::path::Path::new(std::ffi::OsStr::from_bytes(self.path_bytes()))
    }

    /// `kve_obj`: the union member C reaches through FreeBSD's macro.
    pub const fn kve_obj(&self) -> u64 {
        // SAFETY: as in `kve_vn_fsid`.
        unsafe { self.kve_type_spec._kve_obj }
    }
}

impl Default for kinfo_vmentry {
    fn default() -> Self {
        Self::zeroed()
    }
}

impl core::fmt::Debug for kinfo_vmentry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("kinfo_vmentry")
            .field("kve_structsize", &self.kve_structsize)
            .field("kve_type", &self.kve_type)
            .field("kve_start", &format_args!("{:#x}", self.kve_start))
            .field("kve_end", &format_args!("{:#x}", self.kve_end))
            .field("kve_offset", &self.kve_offset)
            .field("kve_vn_fileid", &self.kve_vn_fileid)
            .field("kve_flags", &format_args!("{:#x}", self.kve_flags))
            .field("kve_resident", &self.kve_resident)
            .field("kve_private_resident", &self.kve_private_resident)
            .field(
                "kve_protection",
                &format_args!("{:#x}", self.kve_protection),
            )
            .field("kve_ref_count", &self.kve_ref_count)
            .field("kve_shadow_count", &self.kve_shadow_count)
            .field("kve_vn_type", &self.kve_vn_type)
            .field("kve_vn_size", &self.kve_vn_size)
            .field("kve_vn_mode", &format_args!("{:#o}", self.kve_vn_mode))
            .field("kve_status", &self.kve_status)
            .field("kve_vn_fsid", &self.kve_vn_fsid())
            .field("kve_vn_rdev", &self.kve_vn_rdev)
            .field("kve_path", &self.path_bytes().escape_ascii())
            .finish()
    }
}

/// The layout of FreeBSD's `<sys/user.h>`, asserted field by field.
const _: () = {
    use core::mem::{offset_of, size_of};
    type K = kinfo_vmentry;
    assert!(size_of::<K>() == 1160);
    assert!(KINFO_VMENTRY_SIZE as usize == size_of::<K>());
    assert!(size_of::<kinfo_vmentry_type_spec>() == 8);
    assert!(offset_of!(K, kve_structsize) == 0);
    assert!(offset_of!(K, kve_type) == 4);
    assert!(offset_of!(K, kve_start) == 8);
    assert!(offset_of!(K, kve_end) == 16);
    assert!(offset_of!(K, kve_offset) == 24);
    assert!(offset_of!(K, kve_vn_fileid) == 32);
    assert!(offset_of!(K, kve_vn_fsid_freebsd11) == 40);
    assert!(offset_of!(K, kve_flags) == 44);
    assert!(offset_of!(K, kve_resident) == 48);
    assert!(offset_of!(K, kve_private_resident) == 52);
    assert!(offset_of!(K, kve_protection) == 56);
    assert!(offset_of!(K, kve_ref_count) == 60);
    assert!(offset_of!(K, kve_shadow_count) == 64);
    assert!(offset_of!(K, kve_vn_type) == 68);
    assert!(offset_of!(K, kve_vn_size) == 72);
    assert!(offset_of!(K, kve_vn_rdev_freebsd11) == 80);
    assert!(offset_of!(K, kve_vn_mode) == 84);
    assert!(offset_of!(K, kve_status) == 86);
    assert!(offset_of!(K, kve_type_spec) == 88);
    assert!(offset_of!(K, kve_vn_rdev) == 96);
    assert!(offset_of!(K, _kve_ispare) == 104);
    assert!(offset_of!(K, kve_path) == 136);
    assert!(KVE_HEADER_SIZE == 136);
    assert!(KVE_HEADER_SIZE + KVE_PATH_SIZE == size_of::<K>());
};

/// On FreeBSD, the same layout as the `libc` crate's definition.
#[cfg(target_os = "freebsd")]
const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    type K = kinfo_vmentry;
    type L = libc::kinfo_vmentry;
    assert!(size_of::<K>() == size_of::<L>());
    assert!(align_of::<K>() == align_of::<L>());
    assert!(offset_of!(K, kve_structsize) == offset_of!(L, kve_structsize));
    assert!(offset_of!(K, kve_type) == offset_of!(L, kve_type));
    assert!(offset_of!(K, kve_start) == offset_of!(L, kve_start));
    assert!(offset_of!(K, kve_end) == offset_of!(L, kve_end));
    assert!(offset_of!(K, kve_offset) == offset_of!(L, kve_offset));
    assert!(offset_of!(K, kve_vn_fileid) == offset_of!(L, kve_vn_fileid));
    assert!(offset_of!(K, kve_vn_fsid_freebsd11) == offset_of!(L, kve_vn_fsid_freebsd11));
    assert!(offset_of!(K, kve_flags) == offset_of!(L, kve_flags));
    assert!(offset_of!(K, kve_resident) == offset_of!(L, kve_resident));
    assert!(offset_of!(K, kve_private_resident) == offset_of!(L, kve_private_resident));
    assert!(offset_of!(K, kve_protection) == offset_of!(L, kve_protection));
    assert!(offset_of!(K, kve_ref_count) == offset_of!(L, kve_ref_count));
    assert!(offset_of!(K, kve_shadow_count) == offset_of!(L, kve_shadow_count));
    assert!(offset_of!(K, kve_vn_type) == offset_of!(L, kve_vn_type));
    assert!(offset_of!(K, kve_vn_size) == offset_of!(L, kve_vn_size));
    assert!(offset_of!(K, kve_vn_rdev_freebsd11) == offset_of!(L, kve_vn_rdev_freebsd11));
    assert!(offset_of!(K, kve_vn_mode) == offset_of!(L, kve_vn_mode));
    assert!(offset_of!(K, kve_status) == offset_of!(L, kve_status));
    assert!(offset_of!(K, kve_type_spec) == offset_of!(L, kve_vn_fsid));
    assert!(offset_of!(K, kve_vn_rdev) == offset_of!(L, kve_vn_rdev));
    assert!(offset_of!(K, kve_path) == offset_of!(L, kve_path));
    assert!(libc::KERN_PROC_VMMAP == 32);
};
