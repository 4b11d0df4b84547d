//! `VmMap`: an array of `struct kinfo_vmentry` in memory from `malloc(3)`.
//!
//! The C face must hand out an array the caller releases with `free(3)`, so
//! the entries are built in malloc'd memory from the start: the Rust API and
//! the C face share one container, and handing an array to C is a pointer
//! move, never a copy of 1160 bytes per entry. Every allocation is fallible
//! and reports `Error::OutOfMemory`; nothing here can abort the process.
//!
//! Beside the array, a map built from Linux's text keeps the names the text
//! gave entries whose `kve_path` shows something else (`[heap]`,
//! `/tmp/x (deleted)`): FreeBSD's callers expect an empty path there, and
//! the Rust API still wants Linux's names. They live in a side table the C
//! array never sees and `into_raw` drops.

use alloc::vec::Vec;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

use crate::abi::{ENTRY_SIZE, kinfo_vmentry};
use crate::entry::Entry;
use crate::error::Error;
use crate::map_path::MapPath;

/// A process's memory map: the entries in address order.
///
/// Dereferences to `[Entry]`, the typed view of the C structs;
/// [`as_raw`](Self::as_raw) gives the structs themselves, and
/// [`into_raw`](Self::into_raw) hands the array to C.
///
/// # Examples
///
/// ```
/// let map = kinfo_vmmap::vmmap(std::process::id() as i32)?;
/// for entry in &map {
///     println!("{:#x}-{:#x} {:?}", entry.start(), entry.end(), entry.protection());
/// }
/// # Ok::<(), kinfo_vmmap::Error>(())
/// ```
pub struct VmMap {
    ptr: NonNull<kinfo_vmentry>,
    len: usize,
    cap: usize,
    /// The slots from `len` up to here (at most `cap`) are all zero bytes:
    /// `calloc`ed, or the next slot zeroed alone, so that a record is
    /// written once, its fields and its path (see `next_cleared_slot`).
    zeroed_to: usize,
    /// How to make a range of the array's pages present before they are
    /// written, if the system has a way (see `populate_ahead`).
    populate: Option<Populate>,
    /// The slots below this one have had their pages asked for, or need
    /// not be.
    populated_to: usize,
    linux_names: LinuxNames,
}

/// Names from Linux's text, for the few entries whose `kve_path` differs:
/// the bytes of all of them in one arena, and for each the entry's index
/// and where its name ends. Recorded in entry order, so looked up by a
/// binary search.
#[derive(Default)]
struct LinuxNames {
    bytes: Vec<u8>,
    /// (entry index, end of its name in `bytes`), indices increasing.
    ends: Vec<(usize, usize)>,
}

// SAFETY: `VmMap` owns its allocation outright and the entries are plain
// integers, so moving or sharing it across threads is as safe as a `Vec`.
unsafe impl Send for VmMap {}
// SAFETY: as above; `&VmMap` only gives shared reads.
unsafe impl Sync for VmMap {}

/// How many slots ahead of the one being written [`VmMap::prefetch`] asks
/// for: the slot after next, two records of parsing ahead (one ahead
/// measured a little slower at 1,000 mappings).
#[cfg_attr(not(any(test, target_os = "linux")), allow(dead_code))]
pub(crate) const PREFETCH_AHEAD: usize = 2;

/// A system's way to make the pages of a range of memory present before
/// they are written, all in one call: Linux's
/// `madvise(MADV_POPULATE_WRITE)`. It may do nothing, and may fail; the
/// pages then fault as they are written.
///
/// # Safety
/// `(start, len)` must lie inside a live allocation of the caller's.
pub(crate) type Populate = unsafe fn(start: *mut u8, len: usize);

/// The smallest array whose pages [`VmMap::populate_ahead`] asks for: glibc
/// maps every block of 32 MiB or more from the kernel afresh (its largest
/// threshold for that on 64-bit systems), so all its pages are new.
pub(crate) const POPULATE_FROM: usize = 32 << 20;

/// Slots whose pages are asked for at a time: 2 MiB of the array.
pub(crate) const POPULATE_WINDOW: usize = (2 << 20) / ENTRY_SIZE;

/// What the window's ends are rounded to, inwards: 64 KiB, a multiple of
/// every page size in use (4, 16 and 64 KiB).
pub(crate) const POPULATE_ALIGN: usize = 64 << 10;

/// The capacity an array of `cap` entries grows to when it needs room for
/// `needed`: half as much again, not twice, so that the peak stays within
/// 1.5 times the final size, for a few more (cheap, `mremap`)
/// reallocations; at least 16.
#[cfg_attr(not(any(test, target_os = "linux")), allow(dead_code))]
pub(crate) fn grown_capacity(cap: usize, needed: usize) -> usize {
    needed.max(cap.saturating_add(cap / 2)).max(16)
}

/// Bytes for `count` entries, or `OutOfMemory` when that overflows. A zero
/// count still asks for one byte so that an empty map is a non-NULL pointer,
/// as callers of `kinfo_getvmmap` expect.
fn bytes_for(count: usize) -> Result<usize, Error> {
    count
        .checked_mul(ENTRY_SIZE)
        .map(|n| n.max(1))
        .ok_or(Error::OutOfMemory)
}

impl VmMap {
    /// An empty map with room for `cap` entries.
    pub(crate) fn with_capacity(cap: usize) -> Result<Self, Error> {
        let bytes = bytes_for(cap)?;
        // SAFETY: `malloc` has no preconditions; a NULL result is handled.
        let raw = unsafe { libc::malloc(bytes) };
        let ptr = NonNull::new(raw.cast::<kinfo_vmentry>()).ok_or(Error::OutOfMemory)?;
        Ok(Self {
            ptr,
            len: 0,
            cap,
            zeroed_to: 0,
            populate: None,
            populated_to: 0,
            linux_names: LinuxNames::default(),
        })
    }

    /// An empty map with room for `cap` entries, every byte of which is
    /// zero: `calloc(3)`, which skips its `memset` when the allocator knows
    /// the block is fresh from the kernel, and so already zero.
    pub(crate) fn with_zeroed_capacity(cap: usize) -> Result<Self, Error> {
        let bytes = bytes_for(cap)?;
        // SAFETY: `calloc` has no preconditions; a NULL result is handled.
        let raw = unsafe { libc::calloc(1, bytes) };
        let ptr = NonNull::new(raw.cast::<kinfo_vmentry>()).ok_or(Error::OutOfMemory)?;
        Ok(Self {
            ptr,
            len: 0,
            cap,
            zeroed_to: cap,
            populate: None,
            populated_to: cap,
            linux_names: LinuxNames::default(),
        })
    }

    /// Room for at least `additional` more entries, growing geometrically.
    #[cfg_attr(not(any(test, target_os = "linux")), allow(dead_code))]
    pub(crate) fn reserve(&mut self, additional: usize) -> Result<(), Error> {
        let needed = self.len.checked_add(additional).ok_or(Error::OutOfMemory)?;
        if needed <= self.cap {
            return Ok(());
        }
        let cap = grown_capacity(self.cap, needed);
        let bytes = bytes_for(cap)?;
        // SAFETY: `self.ptr` came from `malloc`/`realloc` and is still live.
        // On failure `realloc` returns NULL and leaves the old block alone,
        // so `self` stays valid and `Drop` frees it.
        let raw = unsafe { libc::realloc(self.ptr.as_ptr().cast(), bytes) };
        self.ptr = NonNull::new(raw.cast::<kinfo_vmentry>()).ok_or(Error::OutOfMemory)?;
        self.cap = cap;
        Ok(())
    }

    /// The next unused slot, all zero bytes, for the caller to fill and
    /// then `commit_cleared`: zeroed already (`with_zeroed_capacity`), or
    /// else zeroed here, alone, the map growing as it must.
    ///
    /// Zeroing each slot as it is written, rather than each growth in
    /// bulk, zeroes only the slots used and writes each line of the array
    /// once: for `smaps`, whose array grows as the text arrives.
    #[cfg_attr(not(any(test, target_os = "linux")), allow(dead_code))]
    #[inline]
    pub(crate) fn next_cleared_slot(&mut self) -> Result<&mut kinfo_vmentry, Error> {
        if self.len >= self.zeroed_to {
            if self.len == self.cap {
                self.reserve(1)?;
            }
            if self.len >= self.populated_to {
                self.populate_ahead();
            }
            // SAFETY: `reserve` made `len < cap`, so the slot lies inside
            // the allocation, past every initialised entry; all zero bytes
            // are a valid entry.
            unsafe { self.ptr.as_ptr().add(self.len).write_bytes(0, 1) };
            self.zeroed_to = self.len + 1;
            self.prefetch(self.len + PREFETCH_AHEAD);
        }
        // SAFETY: `len < zeroed_to <= cap`, so the slot lies inside the
        // allocation (aligned, exclusively borrowed through `&mut self`)
        // and holds zero bytes, which are a valid `kinfo_vmentry`.
        Ok(unsafe { &mut *self.ptr.as_ptr().add(self.len) })
    }

    /// Asks the CPU to bring slot `index`'s cache lines in, if the slot
    /// lies inside the allocation, so that they are there when it is
    /// zeroed and written.
    ///
    /// A slot is written some hundreds of cycles after the one before, the
    /// parse of its text in between. A map of more than a few hundred
    /// entries outgrows the L2 cache, and the kernel's walk for the text
    /// evicts the rest, so the slot's lines were misses when written.
    /// Asking for the slot after next took writing an `smaps` entry from
    /// about 220 ns to 80-100 at 1,000 mappings (`rdtsc` inside the call,
    /// `stat` left out), and the whole call from 1.053-1.062x the bound to
    /// 1.039-1.043x. Nothing on other architectures, where no stable
    /// intrinsic asks.
    #[cfg_attr(not(any(test, target_os = "linux")), allow(dead_code))]
    #[inline(always)]
    fn prefetch(&self, index: usize) {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        if index < self.cap {
            use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            // SAFETY: `index < cap`, so the slot lies inside the allocation.
            let slot = unsafe { self.ptr.as_ptr().add(index) }.cast::<i8>();
            // Every line the slot touches: its start need not be aligned.
            for line in (0..ENTRY_SIZE + 63).step_by(64) {
                // SAFETY: a prefetch reads nothing the program sees and
                // cannot fault; the address, at most 63 bytes past the
                // slot, is only a hint (`wrapping_add`: no in-bounds claim).
                unsafe { _mm_prefetch::<_MM_HINT_T0>(slot.wrapping_add(line)) };
            }
        }
        #[cfg(not(all(target_arch = "x86_64", not(miri))))]
        let _ = index;
    }

    /// Has [`next_cleared_slot`](Self::next_cleared_slot) make the pages
    /// of a large array present ahead of its writes, with `populate`.
    #[cfg_attr(not(any(test, target_os = "linux")), allow(dead_code))]
    pub(crate) fn populate_with(&mut self, populate: Populate) {
        self.populate = Some(populate);
    }

    /// Asks [`populate`](Self::populate_with) for the pages of the next
    /// [`POPULATE_WINDOW`] of slots from `len` at once, when the array is
    /// large enough to be fresh from the kernel; marks how far that
    /// reaches.
    ///
    /// Every page of a fresh block faults the first time it is written,
    /// each fault a trap into the kernel; asked for together, the same
    /// pages cost less. Writing 70 MB of fresh entries (60,035 of them)
    /// took 64-69 ms page by page and 53-61 ms with the pages asked for
    /// first, on Linux. Only blocks of [`POPULATE_FROM`] or more: smaller
    /// ones usually come from memory the process freed, whose pages are
    /// there already, and asking for them would cost a system call for
    /// nothing. A window at a time, so that at most one window of capacity
    /// the map never uses (the array grows by half again) is made.
    #[cfg_attr(not(any(test, target_os = "linux")), allow(dead_code))]
    #[inline(never)]
    fn populate_ahead(&mut self) {
        let end = self.cap.min(self.len.saturating_add(POPULATE_WINDOW));
        if let Some(populate) = self.populate
            && self.cap.saturating_mul(ENTRY_SIZE) >= POPULATE_FROM
        {
            let base = self.ptr.as_ptr().cast::<u8>();
            // Whole blocks of POPULATE_ALIGN inside the window.
            let addr = |slot: usize| base as usize + slot * ENTRY_SIZE;
            let from = addr(self.len).next_multiple_of(POPULATE_ALIGN);
            let to = addr(end) / POPULATE_ALIGN * POPULATE_ALIGN;
            if to > from {
                // SAFETY: `[from, to)` lies inside `[len, end)` of this
                // map's allocation (`end <= cap`), which it owns.
                unsafe { populate(base.wrapping_add(from - base as usize), to - from) };
            }
        }
        self.populated_to = end;
    }

    /// Makes the slot `next_cleared_slot` returned part of the map.
    #[cfg_attr(not(any(test, target_os = "linux")), allow(dead_code))]
    pub(crate) fn commit_cleared(&mut self) {
        assert!(self.len < self.zeroed_to, "no cleared slot was handed out");
        self.len += 1;
    }

    /// The next unused slot, uninitialised; `commit` makes it part of the map.
    /// `None` when the capacity is used up.
    pub(crate) fn next_slot(&mut self) -> Option<&mut MaybeUninit<kinfo_vmentry>> {
        if self.len == self.cap {
            return None;
        }
        // Whatever the caller writes, this slot is no longer known zero.
        self.zeroed_to = self.zeroed_to.min(self.len);
        // SAFETY: `len < cap`, so the slot lies inside the allocation, which
        // is aligned for `kinfo_vmentry` (malloc aligns for any basic type)
        // and exclusively borrowed through `&mut self`.
        Some(unsafe {
            &mut *self
                .ptr
                .as_ptr()
                .add(self.len)
                .cast::<MaybeUninit<kinfo_vmentry>>()
        })
    }

    /// Makes the slot `next_slot` returned part of the map.
    ///
    /// # Safety
    /// The slot must have been fully initialised.
    pub(crate) unsafe fn commit(&mut self) {
        debug_assert!(self.len < self.cap);
        self.len += 1;
    }

    /// Appends an entry, growing the allocation when it is full.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn push(&mut self, entry: &kinfo_vmentry) -> Result<(), Error> {
        self.reserve(1)?;
        let slot = self.next_slot().expect("reserve made room for one");
        slot.write(*entry);
        // SAFETY: the slot was just written whole.
        unsafe { self.commit() };
        Ok(())
    }

    /// Records `name`, the text's unescaped name, for entry `index` (the
    /// next one to be committed, or a later one than any recorded).
    #[cfg_attr(
        not(any(test, target_os = "linux", feature = "internals")),
        allow(dead_code)
    )]
    pub(crate) fn push_linux_name(&mut self, index: usize, name: &[u8]) -> Result<(), Error> {
        debug_assert!(self.linux_names.ends.last().is_none_or(|&(i, _)| i < index));
        let names = &mut self.linux_names;
        names
            .bytes
            .try_reserve(name.len())
            .map_err(|_| Error::OutOfMemory)?;
        names.ends.try_reserve(1).map_err(|_| Error::OutOfMemory)?;
        names.bytes.extend_from_slice(name);
        names.ends.push((index, names.bytes.len()));
        Ok(())
    }

    /// The name Linux's `maps` or `smaps` text gave entry `index`,
    /// unescaped (a `\012` is a newline again) and cut to 1023 bytes as
    /// `kve_path` is, when `kve_path` shows something else: `[heap]`,
    /// `[stack]`, `[vdso]`, `[anon:name]`, `/tmp/x (deleted)`,
    /// `/dev/shm/name` (whose `kve_path` is `/name`), `/SYSV0000002a
    /// (deleted)`, `/dev/zero`. `None` when `kve_path` is the name (a
    /// file, a device, plain anonymous memory with no name), on FreeBSD,
    /// and for an index out of range.
    pub(crate) fn linux_name(&self, index: usize) -> Option<&[u8]> {
        let ends = &self.linux_names.ends;
        let at = ends.binary_search_by_key(&index, |&(i, _)| i).ok()?;
        let start = at.checked_sub(1).map_or(0, |before| ends[before].1);
        self.linux_names.bytes.get(start..ends[at].1)
    }

    /// Gives up ownership: the pointer must be released with `free(3)`.
    /// The Linux names are dropped: C has no place for them.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = kinfo_vmmap::unpack(&[])?;
    /// let (array, count) = map.into_raw();
    /// assert_eq!(count, 0);
    /// // SAFETY: `into_raw` hands over memory from malloc(3).
    /// unsafe { libc::free(array.cast()) };
    /// # Ok::<(), kinfo_vmmap::Error>(())
    /// ```
    pub fn into_raw(self) -> (*mut kinfo_vmentry, usize) {
        let mut this = core::mem::ManuallyDrop::new(self);
        drop(core::mem::take(&mut this.linux_names));
        (this.ptr.as_ptr(), this.len)
    }
}

impl VmMap {
    /// The entries as the C structs, the array C callers get.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = kinfo_vmmap::unpack(&[])?;
    /// let raw: &[kinfo_vmmap::kinfo_vmentry] = map.as_raw();
    /// assert!(raw.is_empty());
    /// # Ok::<(), kinfo_vmmap::Error>(())
    /// ```
    pub fn as_raw(&self) -> &[kinfo_vmentry] {
        // The block of an empty map may be a single byte, which malloc(3)
        // need not align for an entry (C17 asks only for the alignment of
        // what fits in the block; Miri's malloc gives 1), and a slice must
        // be aligned even when it is empty.
        if self.len == 0 {
            return &[];
        }
        // SAFETY: the first `len` slots are initialised (see `commit`) and
        // lie inside the live allocation, which holds at least one entry
        // and so is aligned for one.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// The entry holding `addr`, found by binary search: entries are in
    /// address order and do not overlap. An entry holds the addresses from
    /// its start, included, to its end, excluded; `None` for an address in
    /// no entry.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = kinfo_vmmap::vmmap(std::process::id() as i32)?;
    /// fn probe() {}
    /// let code = probe as usize as u64;
    /// let entry = map.find(code).expect("the code is mapped");
    /// assert!(entry.contains(code) && entry.is_exec());
    /// # Ok::<(), kinfo_vmmap::Error>(())
    /// ```
    pub fn find(&self, addr: u64) -> Option<&Entry> {
        let index = self.index_of(addr)?;
        Some(&self[index])
    }

    /// The index of the entry holding `addr`, as [`find`](Self::find)
    /// finds it: for [`map_path`](Self::map_path) and [`name`](Self::name).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = kinfo_vmmap::unpack(&[])?;
    /// assert_eq!(map.index_of(0x1000), None);
    /// # Ok::<(), kinfo_vmmap::Error>(())
    /// ```
    pub fn index_of(&self, addr: u64) -> Option<usize> {
        let after = self.partition_point(|entry| entry.start() <= addr);
        let index = after.checked_sub(1)?;
        self[index].contains(addr).then_some(index)
    }

    /// What entry `index` maps; `None` past the end. Unlike
    /// [`Entry::map_path`], this knows Linux's own names for entries
    /// (`[heap]`, `[stack]`, `[vdso]`), which the C struct has no room for.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::MapPath;
    ///
    /// let map = kinfo_vmmap::vmmap(std::process::id() as i32)?;
    /// let files = (0..map.len())
    ///     .filter(|&i| matches!(map.map_path(i), Some(MapPath::File(_))))
    ///     .count();
    /// println!("{files} file mappings");
    /// # Ok::<(), kinfo_vmmap::Error>(())
    /// ```
    pub fn map_path(&self, index: usize) -> Option<MapPath<'_>> {
        let entry = self.get(index)?;
        let own = entry.map_path();
        // What the record's type and flags say wins (shared memory, a
        // file with its path); Linux's name refines only what they leave
        // nameless.
        Some(match (own, self.linux_name(index)) {
            (MapPath::Anonymous | MapPath::Unnamed | MapPath::Stack, Some(name)) => {
                MapPath::of_linux_name(name, entry.object_type())
            }
            _ => own,
        })
    }

    /// Entry `index`'s name as `procstat -v` and `/proc/PID/maps` print it:
    /// a file's path, a shared memory object's name, or one of Linux's own
    /// names (`[heap]`); `None` for a nameless entry or past the end.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = kinfo_vmmap::vmmap(std::process::id() as i32)?;
    /// for index in 0..map.len() {
    ///     let name = map.name(index).unwrap_or_default();
    ///     println!("{:#x} {}", map[index].start(), name.escape_ascii());
    /// }
    /// # Ok::<(), kinfo_vmmap::Error>(())
    /// ```
    pub fn name(&self, index: usize) -> Option<&[u8]> {
        let entry = self.get(index)?;
        entry.kve_path_bytes().or_else(|| self.linux_name(index))
    }
}

impl core::ops::Deref for VmMap {
    type Target = [Entry];

    fn deref(&self) -> &[Entry] {
        Entry::from_raw_slice(self.as_raw())
    }
}

impl<'a> IntoIterator for &'a VmMap {
    type Item = &'a Entry;
    type IntoIter = core::slice::Iter<'a, Entry>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl IntoIterator for VmMap {
    type Item = Entry;
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        let back = self.len;
        IntoIter {
            map: self,
            front: 0,
            back,
        }
    }
}

/// The entries of a [`VmMap`], by value; the map's memory is freed when the
/// iterator is dropped, whether or not every entry was taken.
///
/// # Examples
///
/// ```
/// let map = kinfo_vmmap::vmmap(std::process::id() as i32)?;
/// let largest = map.into_iter().max_by_key(|entry| entry.len());
/// assert!(largest.is_some());
/// # Ok::<(), kinfo_vmmap::Error>(())
/// ```
pub struct IntoIter {
    map: VmMap,
    front: usize,
    back: usize,
}

impl IntoIter {
    /// The entries not yet taken.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = kinfo_vmmap::vmmap(std::process::id() as i32)?;
    /// let count = map.len();
    /// let mut entries = map.into_iter();
    /// entries.next();
    /// assert_eq!(entries.as_slice().len(), count - 1);
    /// # Ok::<(), kinfo_vmmap::Error>(())
    /// ```
    pub fn as_slice(&self) -> &[Entry] {
        &self.map[self.front..self.back]
    }
}

impl Iterator for IntoIter {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        if self.front == self.back {
            return None;
        }
        // Entries are plain integers (`Copy`): taking one is a copy, and
        // the block is freed whole when the map is dropped.
        let entry = self.map[self.front];
        self.front += 1;
        Some(entry)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.back - self.front;
        (left, Some(left))
    }
}

impl DoubleEndedIterator for IntoIter {
    fn next_back(&mut self) -> Option<Entry> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        Some(self.map[self.back])
    }
}

impl ExactSizeIterator for IntoIter {}

impl core::iter::FusedIterator for IntoIter {}

impl core::fmt::Debug for IntoIter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("IntoIter").field(&self.as_slice()).finish()
    }
}

impl Drop for VmMap {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `malloc`/`realloc` and is freed once;
        // `into_raw` keeps `self` from ever reaching here.
        unsafe { libc::free(self.ptr.as_ptr().cast()) };
    }
}

impl core::fmt::Debug for VmMap {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(start: u64) -> kinfo_vmentry {
        let mut e = kinfo_vmentry::zeroed();
        e.kve_start = start;
        e
    }

    #[test]
    fn push_grows_past_the_first_capacity_and_keeps_order() {
        let mut map = VmMap::with_capacity(1).unwrap();
        for start in 0..100u64 {
            map.push(&entry(start)).unwrap();
        }
        let starts: Vec<u64> = map.iter().map(|e| e.kve_start).collect();
        assert_eq!(starts, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn growth_stays_within_half_again_of_the_entries() {
        let mut map = VmMap::with_capacity(0).unwrap();
        for start in 0..10_000u64 {
            map.push(&entry(start)).unwrap();
            assert!(
                map.cap <= (map.len() * 3 / 2).max(16),
                "{} for {}",
                map.cap,
                map.len()
            );
        }
    }

    std::thread_local! {
        /// The ranges `record` was asked to populate, on this thread.
        static POPULATED: core::cell::RefCell<Vec<(usize, usize)>> =
            const { core::cell::RefCell::new(Vec::new()) };
    }

    /// A [`Populate`] that only records what it is asked.
    unsafe fn record(start: *mut u8, len: usize) {
        POPULATED.with_borrow_mut(|calls| calls.push((start as usize, len)));
    }

    fn write_cleared(map: &mut VmMap) {
        map.next_cleared_slot().unwrap().kve_start = map.len() as u64;
        map.commit_cleared();
    }

    #[test]
    fn a_large_array_has_its_pages_asked_for_a_window_ahead_and_no_further() {
        POPULATED.with_borrow_mut(Vec::clear);
        let window = POPULATE_WINDOW * ENTRY_SIZE;
        let mut map = VmMap::with_capacity(POPULATE_FROM / ENTRY_SIZE + 1).unwrap();
        map.populate_with(record);
        let base = map.ptr.as_ptr() as usize;
        write_cleared(&mut map);
        // The first window, its ends rounded inwards to whole blocks.
        let first = (
            base.next_multiple_of(POPULATE_ALIGN),
            (base + window) / POPULATE_ALIGN * POPULATE_ALIGN,
        );
        let span = |(from, to): (usize, usize)| (from, to - from);
        assert_eq!(POPULATED.with_borrow(Vec::clone), [span(first)]);
        // Nothing more until the window is written.
        for _ in 1..POPULATE_WINDOW {
            write_cleared(&mut map);
        }
        assert_eq!(POPULATED.with_borrow(Vec::len), 1);
        write_cleared(&mut map);
        let second = (
            (base + window).next_multiple_of(POPULATE_ALIGN),
            (base + 2 * window) / POPULATE_ALIGN * POPULATE_ALIGN,
        );
        assert_eq!(
            POPULATED.with_borrow(Vec::clone),
            [span(first), span(second)]
        );
        assert!(
            map.iter()
                .map(|e| e.kve_start)
                .eq(0..POPULATE_WINDOW as u64 + 1)
        );
        assert!(
            map.iter()
                .all(|e| e.kve_path == [0; 1024] && e.kve_end == 0)
        );
    }

    #[test]
    fn a_small_array_or_one_with_no_way_to_populate_asks_for_nothing() {
        POPULATED.with_borrow_mut(Vec::clear);
        let mut small = VmMap::with_capacity(0).unwrap();
        small.populate_with(record);
        for _ in 0..2 * POPULATE_WINDOW {
            write_cleared(&mut small);
        }
        let mut large = VmMap::with_capacity(POPULATE_FROM / ENTRY_SIZE + 1).unwrap();
        write_cleared(&mut large);
        assert_eq!(POPULATED.with_borrow(Vec::len), 0);
    }

    #[test]
    fn zeroed_capacity_is_zero() {
        let mut map = VmMap::with_zeroed_capacity(3).unwrap();
        let slot = map.next_slot().unwrap();
        // SAFETY: calloc zeroed the slot, and zeros are a valid entry.
        let entry = unsafe { slot.assume_init_ref() };
        assert_eq!(entry.kve_path, [0; 1024]);
        assert_eq!((entry.kve_start, entry.kve_structsize), (0, 0));
    }

    #[test]
    fn cleared_slots_are_zero_through_growth_even_over_written_ones() {
        let mut map = VmMap::with_capacity(0).unwrap();
        // Growth from dirty slots: `push` wrote through `next_slot`, and
        // `next_slot` hands out a slot that may then be written.
        map.push(&entry(7)).unwrap();
        for start in 0..100u64 {
            if let Some(slot) = map.next_slot() {
                slot.write(entry(0xdead));
            }
            let slot = map.next_cleared_slot().unwrap();
            assert_eq!(slot.kve_path, [0; 1024]);
            assert_eq!((slot.kve_start, slot.kve_structsize), (0, 0));
            slot.kve_start = start;
            map.commit_cleared();
        }
        assert_eq!(map.len(), 101);
        assert_eq!(map[100].kve_start, 99);
        // A calloc'd map's slots are zero already, and stay so.
        let mut calloced = VmMap::with_zeroed_capacity(2).unwrap();
        assert_eq!(calloced.next_cleared_slot().unwrap().kve_path, [0; 1024]);
        assert_eq!(calloced.cap, 2);
    }

    /// A regression test for Miri, whose malloc(1) is not aligned for an
    /// entry: making the empty slice from it was undefined behaviour.
    #[test]
    fn an_empty_map_is_an_aligned_empty_slice() {
        let map = VmMap::with_capacity(0).unwrap();
        let entries: &[Entry] = &map;
        assert!(entries.is_empty() && entries.as_ptr().is_aligned());
        assert!(map.as_raw().is_empty() && map.as_raw().as_ptr().is_aligned());
    }

    #[test]
    fn an_empty_map_still_owns_a_non_null_pointer() {
        let (ptr, len) = VmMap::with_capacity(0).unwrap().into_raw();
        assert!(!ptr.is_null());
        assert_eq!(len, 0);
        // SAFETY: `into_raw` hands over a malloc'd pointer.
        unsafe { libc::free(ptr.cast()) };
    }

    fn map_of(spans: &[(u64, u64)]) -> VmMap {
        let mut map = VmMap::with_capacity(0).unwrap();
        for &(start, end) in spans {
            map.push(&kinfo_vmentry {
                kve_end: end,
                ..entry(start)
            })
            .unwrap();
        }
        map
    }

    #[test]
    fn find_includes_the_start_excludes_the_end_and_skips_gaps() {
        let map = map_of(&[(0x1000, 0x2000), (0x2000, 0x4000), (0x8000, 0x9000)]);
        let start_of = |addr| map.find(addr).map(Entry::start);
        assert_eq!(start_of(0), None);
        assert_eq!(start_of(0xfff), None);
        assert_eq!(start_of(0x1000), Some(0x1000));
        assert_eq!(start_of(0x1fff), Some(0x1000));
        assert_eq!(start_of(0x2000), Some(0x2000));
        assert_eq!(start_of(0x3fff), Some(0x2000));
        assert_eq!(start_of(0x4000), None);
        assert_eq!(start_of(0x7fff), None);
        assert_eq!(start_of(0x8000), Some(0x8000));
        assert_eq!(start_of(0x9000), None);
        assert_eq!(start_of(u64::MAX), None);
        assert_eq!(map.index_of(0x8fff), Some(2));
        assert_eq!(map_of(&[]).find(0x1000).map(Entry::start), None);
    }

    #[test]
    fn find_agrees_with_a_linear_search() {
        let spans: Vec<(u64, u64)> = (0..50u64)
            .map(|i| (i * 0x3000, i * 0x3000 + 0x2000))
            .collect();
        let map = map_of(&spans);
        for addr in (0..0x3000 * 51).step_by(0x800) {
            let linear = map.iter().position(|e| e.contains(addr));
            assert_eq!(map.index_of(addr), linear, "{addr:#x}");
        }
    }

    #[test]
    fn the_map_iterates_by_reference_and_by_value() {
        let map = map_of(&[(1, 2), (3, 4), (5, 6)]);
        let by_ref: Vec<u64> = (&map).into_iter().map(|e| e.start()).collect();
        assert_eq!(by_ref, [1, 3, 5]);
        let mut by_value = map.into_iter();
        assert_eq!(by_value.len(), 3);
        assert_eq!(by_value.next_back().map(|e| e.start()), Some(5));
        assert_eq!(by_value.as_slice().len(), 2);
        let rest: Vec<u64> = by_value.map(|e| e.start()).collect();
        assert_eq!(rest, [1, 3]);
    }

    /// Run under Miri, this also shows that the block is freed (Miri
    /// reports leaks) whether the iterator was drained, cut short or
    /// never started.
    #[test]
    fn the_owned_iterator_frees_what_it_did_not_yield() {
        let spans = [(1, 2), (3, 4), (5, 6)];
        drop(map_of(&spans).into_iter());
        let mut partly = map_of(&spans).into_iter();
        assert_eq!(partly.next().map(|e| e.start()), Some(1));
        drop(partly);
        let mut drained = map_of(&spans).into_iter();
        assert_eq!(drained.by_ref().count(), 3);
        assert!(drained.next().is_none() && drained.next_back().is_none());
        assert_eq!(map_of(&[]).into_iter().next().map(|e| e.start()), None);
    }

    #[test]
    fn map_path_and_name_read_the_record_without_linux_names() {
        let mut map = map_of(&[(0x1000, 0x2000)]);
        let mut file = kinfo_vmentry {
            kve_type: crate::abi::KVME_TYPE_VNODE,
            kve_end: 0x3000,
            ..entry(0x2000)
        };
        file.kve_path[..3].copy_from_slice(&[b'/' as _, b'l' as _, b'd' as _]);
        map.push(&file).unwrap();
        assert_eq!(map.map_path(0), Some(MapPath::Anonymous));
        assert_eq!(map.map_path(1), Some(MapPath::File(b"/ld")));
        assert_eq!(map.map_path(2), None);
        assert_eq!(
            (map.name(0), map.name(1), map.name(2)),
            (None, Some(&b"/ld"[..]), None)
        );
    }

    #[test]
    fn linux_names_are_found_by_entry_and_handed_to_no_one_by_into_raw() {
        let mut map = VmMap::with_capacity(0).unwrap();
        for start in 0..6u64 {
            match start {
                1 => map.push_linux_name(1, b"[heap]").unwrap(),
                2 => map.push_linux_name(2, b"").unwrap(),
                4 => map.push_linux_name(4, b"/tmp/x (deleted)").unwrap(),
                _ => {}
            }
            map.push(&entry(start)).unwrap();
        }
        let names: Vec<Option<&[u8]>> = (0..7).map(|i| map.linux_name(i)).collect();
        assert_eq!(
            names,
            [
                None,
                Some(&b"[heap]"[..]),
                Some(b""),
                None,
                Some(b"/tmp/x (deleted)"),
                None,
                None
            ]
        );
        let (ptr, len) = map.into_raw();
        assert_eq!(len, 6);
        // SAFETY: `into_raw` hands over a malloc'd pointer. (Miri reports
        // the names' allocation as leaked if `into_raw` forgot it.)
        unsafe { libc::free(ptr.cast()) };
    }

    #[test]
    fn impossible_sizes_are_out_of_memory() {
        assert_eq!(
            VmMap::with_capacity(usize::MAX / 2).err(),
            Some(Error::OutOfMemory)
        );
        let mut map = VmMap::with_capacity(0).unwrap();
        assert_eq!(map.reserve(usize::MAX).err(), Some(Error::OutOfMemory));
        assert!(map.is_empty());
    }
}
