//! What std would otherwise provide: a panic handler and a global
//! allocator, each a thin layer over the C library.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;
use core::fmt::{self, Write};

/// Prints `kinfo_vmmap: panicked at FILE:LINE:COL: MESSAGE` on stderr, one
/// line in one write(2), then aborts: a broken invariant ends the process
/// as a failed assertion in C would, and never unwinds into the caller.
/// The message is formatted into a buffer on the stack, cut short if it
/// does not fit, since the allocator may be what failed.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut line = Line::new();
    let _ = match info.location() {
        Some(at) => write!(line, "kinfo_vmmap: panicked at {at}: {}", info.message()),
        None => write!(line, "kinfo_vmmap: panicked: {}", info.message()),
    };
    let bytes = line.finish();
    // SAFETY: `bytes` is readable for its length; write(2) may write
    // fewer bytes or fail, and either is acceptable on the way to abort.
    unsafe {
        libc::write(
            libc::STDERR_FILENO,
            bytes.as_ptr().cast::<c_void>(),
            bytes.len(),
        )
    };
    // SAFETY: abort(3) has no preconditions and does not return.
    unsafe { libc::abort() }
}

/// One line of at most `LINE_MAX` bytes with its newline: what does not fit
/// is dropped.
struct Line {
    buf: [u8; LINE_MAX],
    len: usize,
}

const LINE_MAX: usize = 512;

impl Line {
    fn new() -> Self {
        Self {
            buf: [0; LINE_MAX],
            len: 0,
        }
    }

    /// The text and its newline.
    fn finish(&mut self) -> &[u8] {
        self.buf[self.len] = b'\n';
        &self.buf[..=self.len]
    }
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // The last byte is kept for the newline.
        let take = s.len().min(LINE_MAX - 1 - self.len);
        self.buf[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        Ok(())
    }
}

/// The C library's allocator, so that the library brings none of its own.
struct Malloc;

/// An alignment malloc(3) guarantees for any block: twice a pointer's size,
/// which `max_align_t` is at least on every system FreeBSD and glibc run
/// on (16 on 64-bit ones, 8 or 16 on 32-bit ones). The libc crate has no
/// `max_align_t` for every target, so the smaller bound is taken.
const MALLOC_ALIGN: usize = 2 * core::mem::size_of::<usize>();

// SAFETY: every block comes from malloc(3), realloc(3) or posix_memalign(3)
// aligned as the layout asks, and is released with free(3), which takes
// blocks from any of them.
unsafe impl GlobalAlloc for Malloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN && layout.align() <= layout.size() {
            // SAFETY: malloc has no preconditions; NULL reports failure.
            unsafe { libc::malloc(layout.size()).cast() }
        } else {
            let mut block = core::ptr::null_mut();
            let align = layout.align().max(core::mem::size_of::<usize>());
            // SAFETY: `align` is a power of two and a multiple of the size
            // of a pointer, as posix_memalign requires.
            let rc = unsafe { libc::posix_memalign(&mut block, align, layout.size()) };
            if rc == 0 {
                block.cast()
            } else {
                core::ptr::null_mut()
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from `alloc` or `realloc` above.
        unsafe { libc::free(ptr.cast()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN && layout.align() <= new_size {
            // SAFETY: `ptr` came from this allocator; realloc keeps the
            // old block on failure, as GlobalAlloc requires.
            unsafe { libc::realloc(ptr.cast(), new_size).cast() }
        } else {
            // SAFETY: GlobalAlloc's default: allocate, copy, free, with
            // the caller's promises passed on.
            unsafe {
                let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}

#[global_allocator]
static ALLOCATOR: Malloc = Malloc;
