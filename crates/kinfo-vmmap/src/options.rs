//! `Options`: how one call reads a map, as a value.
//!
//! The C face has no room for options in `kinfo_getvmmap(3)`'s signature,
//! so it reads them from the environment, as FreeBSD reads
//! `kern.proc_vmmap_skip_resident_count` from a sysctl: for the whole
//! system, on every call. A Rust caller says what one call needs instead,
//! and two threads may ask for different things at once. The fields are
//! private so that options can be added without breaking a caller.

/// How [`vmmap_with`](crate::vmmap_with) reads a map. The default,
/// [`Options::new`], reads everything.
///
/// # Examples
///
/// ```
/// use kinfo_vmmap::Options;
///
/// let quick = Options::new().resident_counts(false);
/// assert!(!quick.counts_resident());
/// assert!(Options::default().counts_resident());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Options {
    resident_counts: bool,
}

impl Options {
    /// The default options: resident pages counted.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(kinfo_vmmap::Options::new(), kinfo_vmmap::Options::default());
    /// ```
    pub const fn new() -> Self {
        Self {
            resident_counts: true,
        }
    }

    /// Whether to count each entry's resident pages, on by default.
    ///
    /// Counting is most of the cost of reading a map: FreeBSD walks the
    /// page tables of every entry, and Linux reads the long
    /// `/proc/PID/smaps` instead of `maps`. Off, the resident counts are 0,
    /// [`EntryFlags::SUPER`](crate::EntryFlags::SUPER) is never set, and
    /// on Linux the maximum protection is left empty, since it comes from
    /// smaps too.
    ///
    /// # Examples
    ///
    /// ```
    /// use kinfo_vmmap::Options;
    ///
    /// let map = kinfo_vmmap::vmmap_with(
    ///     std::process::id() as i32,
    ///     &Options::new().resident_counts(false),
    /// )?;
    /// println!("{} entries", map.len());
    /// # Ok::<(), kinfo_vmmap::Error>(())
    /// ```
    #[must_use]
    pub const fn resident_counts(mut self, count: bool) -> Self {
        self.resident_counts = count;
        self
    }

    /// Whether resident pages are counted; see
    /// [`resident_counts`](Self::resident_counts).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(kinfo_vmmap::Options::new().counts_resident());
    /// ```
    pub const fn counts_resident(&self) -> bool {
        self.resident_counts
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::new()
    }
}
