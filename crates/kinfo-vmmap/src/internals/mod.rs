//! What the tests, the benches and the fuzz targets reach inside for, on
//! any OS: the FreeBSD kernel double and the fetch it drives, the packer
//! that writes records as the kernel does, and the checks behind the fuzz
//! targets. None of it is part of the library: it is built only with the
//! `internals` feature.

pub mod bench;
pub mod fuzz;
pub(crate) mod kernel_double;
#[cfg(target_os = "linux")]
pub mod mapped_child;

pub use crate::unpack::pack;

/// How `VmMap` grows its array and writes ahead into it, so that the
/// Linux bench's least reader writes its array as the library does.
pub mod array {
    /// The capacity an array of `cap` entries grows to when it needs room
    /// for `needed`.
    pub fn grown_capacity(cap: usize, needed: usize) -> usize {
        crate::vmmap::grown_capacity(cap, needed)
    }

    /// How many slots ahead of the one written the library prefetches.
    pub const PREFETCH_AHEAD: usize = crate::vmmap::PREFETCH_AHEAD;
    /// The smallest array, in bytes, whose pages the library asks for
    /// ahead of its writes.
    pub const POPULATE_FROM: usize = crate::vmmap::POPULATE_FROM;
    /// Slots whose pages are asked for at a time.
    pub const POPULATE_WINDOW: usize = crate::vmmap::POPULATE_WINDOW;
    /// What the asked range's ends are rounded to, inwards.
    pub const POPULATE_ALIGN: usize = crate::vmmap::POPULATE_ALIGN;
}

/// What the Linux backend asks of each `read(2)` of `smaps`, so that the
/// benches' bound reads the text as the library does.
#[cfg(target_os = "linux")]
pub fn smaps_ask() -> usize {
    crate::sys::smaps_ask()
}

/// The size of the buffer the Linux backend reads text of `len` bytes
/// into: its 64 KiB chunk of `smaps` with resident counts, or the whole
/// `maps` buffer as it has grown without; for the memory bench.
#[cfg(target_os = "linux")]
pub fn read_buffer(resident_counts: bool, len: usize) -> usize {
    let resident = if resident_counts {
        crate::sys::Resident::Count
    } else {
        crate::sys::Resident::Skip
    };
    crate::sys::read_buffer(resident, len)
}
