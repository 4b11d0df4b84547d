//! The builder's `stat` hook on a live system: `stat(2)` of the path the
//! kernel printed, believed only when its device and inode are the
//! mapping's, and remembered for the next mapping of the same file.
//!
//! `stat` runs in the caller's mount namespace on a path printed in the
//! target's, and the file may have been replaced since it was mapped; the
//! device and inode check keeps a different file at that path (or none)
//! from lending its attributes.

use core::ffi::CStr;

use crate::procfs::{Stat, VnAttrs};

/// The last file `stat`ed, so that the several mappings of one file (text,
/// data, relro, ...) cost one `stat`.
#[derive(Default)]
pub(super) struct StatCache {
    last: Option<((u64, u64), Option<VnAttrs>)>,
}

impl Stat for StatCache {
    fn attrs(&mut self, path: &CStr, dev: u64, ino: u64) -> Option<VnAttrs> {
        if let Some((key, attrs)) = self.last
            && key == (dev, ino)
        {
            return attrs;
        }
        let attrs = stat_if_same_file(path, dev, ino);
        self.last = Some(((dev, ino), attrs));
        attrs
    }

    fn is_mapped_file(&mut self, path: &CStr, dev: u64, ino: u64) -> bool {
        stat_if_same_file(path, dev, ino).is_some()
    }
}

/// The attributes of the file at `path`, if it is the one on device `dev`
/// with inode `ino`.
fn stat_if_same_file(path: &CStr, dev: u64, ino: u64) -> Option<VnAttrs> {
    let mut st = core::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `path` is NUL-terminated and `st` is valid for writing a
    // `struct stat`; both outlive the call.
    if unsafe { libc::stat(path.as_ptr(), st.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: `stat` succeeded, so it filled `st`.
    let st = unsafe { st.assume_init() };
    // `ino_t` is 32 bits wide on some 32-bit targets.
    #[allow(clippy::useless_conversion)]
    let st_ino = u64::from(st.st_ino);
    (st.st_dev == dev && st_ino == ino).then(|| VnAttrs {
        size: u64::try_from(st.st_size).unwrap_or(0),
        mode: st.st_mode,
        rdev: st.st_rdev,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::procfs::S_IFMT;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn only_the_file_with_that_device_and_inode_lends_attributes() {
        let meta = std::fs::metadata("/proc/self/exe").unwrap();
        let exe = c"/proc/self/exe";
        let mut cache = StatCache::default();
        let attrs = cache.attrs(exe, meta.dev(), meta.ino()).unwrap();
        assert_eq!((attrs.size, attrs.mode), (meta.len(), meta.mode()));
        assert_eq!(attrs.mode & S_IFMT, libc::S_IFREG);
        // Remembered by device and inode, not by path.
        assert_eq!(
            cache.attrs(c"/nonexistent", meta.dev(), meta.ino()),
            Some(attrs)
        );
        assert!(cache.is_mapped_file(exe, meta.dev(), meta.ino()));
        assert!(!cache.is_mapped_file(exe, meta.dev(), meta.ino() + 1));
        assert_eq!(cache.attrs(exe, meta.dev(), meta.ino() + 1), None);
    }
}
