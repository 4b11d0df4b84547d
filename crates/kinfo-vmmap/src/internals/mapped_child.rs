//! A child process with many mappings, for the Linux backend's tests and
//! the benches alike: a map of a known size that no one else changes.

use crate::procfs::host_page_size;

/// A forked child that maps `count` pages with alternating protections
/// (read-write, read-only, ...) so that each is a VMA of its own,
/// dirties every fourth, and waits to be killed.
pub struct MappedChild {
    /// The child's pid.
    pub pid: i32,
    /// The first address of its pages.
    pub base: u64,
    /// How many pages it mapped.
    pub count: usize,
}

impl MappedChild {
    /// Forks the child and waits until its pages are mapped.
    pub fn spawn(count: usize) -> Self {
        let page = host_page_size() as usize;
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: the child only makes system calls (no allocation, no
        // locks) and never returns from this block.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0);
        if pid == 0 {
            // SAFETY: raw system calls on memory this child maps itself.
            unsafe {
                let prot = libc::PROT_READ | libc::PROT_WRITE;
                let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
                let base = libc::mmap(core::ptr::null_mut(), count * page, prot, flags, -1, 0);
                let mut ok = base != libc::MAP_FAILED;
                for i in (1..count).step_by(2) {
                    let addr = base.cast::<u8>().add(i * page);
                    ok &= ok && libc::mprotect(addr.cast(), page, libc::PROT_READ) == 0;
                }
                for i in (0..count).step_by(4) {
                    if ok {
                        base.cast::<u8>().add(i * page).write_volatile(1);
                    }
                }
                let word = if ok { base as u64 } else { 0 };
                libc::write(fds[1], (&raw const word).cast(), 8);
                loop {
                    libc::pause();
                }
            }
        }
        // SAFETY: the write end is ours to close.
        unsafe { libc::close(fds[1]) };
        let mut word = 0u64;
        // SAFETY: `word` has room for the 8 bytes read.
        let n = unsafe { libc::read(fds[0], (&raw mut word).cast(), 8) };
        // SAFETY: the read end is ours to close.
        unsafe { libc::close(fds[0]) };
        let child = Self {
            pid,
            base: word,
            count,
        };
        assert!(n == 8 && word != 0, "the child could not map its pages");
        child
    }

    /// One past the last address of its pages.
    pub fn region_end(&self) -> u64 {
        self.base + self.count as u64 * host_page_size()
    }
}

impl Drop for MappedChild {
    fn drop(&mut self) {
        // SAFETY: the child is ours; killing and reaping it touches
        // nothing else.
        unsafe {
            libc::kill(self.pid, libc::SIGKILL);
            libc::waitpid(self.pid, core::ptr::null_mut(), 0);
        }
    }
}
