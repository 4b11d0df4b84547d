//! Peak heap per call, against the output and the kernel's buffer:
//!
//! ```text
//! cargo bench --bench memory
//! ```
//!
//! The library allocates with `malloc(3)` and `realloc(3)` directly (the
//! array handed to C) and through Rust's system allocator (buffers), so a
//! Rust global allocator would see only half of it. This benchmark instead
//! defines `malloc`, `calloc`, `realloc`, `free` and the aligned kinds
//! itself, which the linker resolves before glibc's, and forwards them to
//! glibc's `__libc_*` entry points, keeping count of the usable size
//! (`malloc_usable_size(3)`) of every live block while a call runs. A
//! `realloc` counts as one step, the old block out and the new one in:
//! above glibc's mmap threshold it moves pages with `mremap(2)` and never
//! holds both copies.
//!
//! - FreeBSD (the kernel double, on any OS): `fetch_packed` and `unpack`,
//!   for maps of 100, 1,000 and 10,000 entries, first and later calls.
//!   The double's own allocations, which play the kernel's part, are left
//!   out. The kernel's buffer is the packed records' length.
//! - Linux: `kinfo_vmmap::vmmap` on a child with 10,000 mappings, with
//!   resident counts (`smaps`) and without (`maps`). The kernel's buffer is
//!   the 64 KiB the text is read into.
//!
//! The goal is a peak of at most 1.5 times the output plus that buffer.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod common;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn main() {
    counted::main();
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn main() {
    eprintln!("the heap is counted through glibc's __libc_* functions: Linux with glibc only");
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod counted {
    use core::ffi::{c_int, c_void};
    use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

    use kinfo_vmmap::__internals::bench::{Kernel, SizeHints, fetch_packed, typical_map};
    use kinfo_vmmap::abi::kinfo_vmentry;

    const ENTRY: usize = size_of::<kinfo_vmentry>();
    /// What the Linux backend reads `/proc` text into (`CHUNK` in
    /// `src/sys/linux.rs`).
    const READ_BUFFER: usize = 64 * 1024;

    unsafe extern "C" {
        fn __libc_malloc(size: usize) -> *mut c_void;
        fn __libc_calloc(count: usize, size: usize) -> *mut c_void;
        fn __libc_realloc(ptr: *mut c_void, size: usize) -> *mut c_void;
        fn __libc_free(ptr: *mut c_void);
        fn __libc_memalign(align: usize, size: usize) -> *mut c_void;
    }

    /// Counting while a measured call runs, and not while the kernel double
    /// plays the kernel.
    static COUNTING: AtomicBool = AtomicBool::new(false);
    static LIVE: AtomicIsize = AtomicIsize::new(0);
    static PEAK: AtomicIsize = AtomicIsize::new(0);

    fn usable(ptr: *mut c_void) -> isize {
        if ptr.is_null() {
            return 0;
        }
        // SAFETY: `ptr` is a live block from glibc's allocator.
        unsafe { libc::malloc_usable_size(ptr) as isize }
    }

    fn gained(ptr: *mut c_void) {
        if COUNTING.load(Ordering::Relaxed) {
            let live = LIVE.fetch_add(usable(ptr), Ordering::Relaxed) + usable(ptr);
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
    }

    fn lost(ptr: *mut c_void) {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(usable(ptr), Ordering::Relaxed);
        }
    }

    /// # Safety
    /// As `malloc(3)`.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
        // SAFETY: forwarded as it came.
        let ptr = unsafe { __libc_malloc(size) };
        gained(ptr);
        ptr
    }

    /// # Safety
    /// As `calloc(3)`.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
        // SAFETY: forwarded as it came.
        let ptr = unsafe { __libc_calloc(count, size) };
        gained(ptr);
        ptr
    }

    /// # Safety
    /// As `realloc(3)`.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
        let before = usable(ptr);
        // SAFETY: forwarded as it came.
        let new = unsafe { __libc_realloc(ptr, size) };
        if !new.is_null() || size == 0 {
            if COUNTING.load(Ordering::Relaxed) {
                LIVE.fetch_sub(before, Ordering::Relaxed);
            }
            gained(new);
        }
        new
    }

    /// # Safety
    /// As `free(3)`.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn free(ptr: *mut c_void) {
        lost(ptr);
        // SAFETY: forwarded as it came.
        unsafe { __libc_free(ptr) }
    }

    /// # Safety
    /// As `posix_memalign(3)`.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn posix_memalign(
        out: *mut *mut c_void,
        align: usize,
        size: usize,
    ) -> c_int {
        // SAFETY: forwarded as it came.
        let ptr = unsafe { __libc_memalign(align, size) };
        if ptr.is_null() {
            return libc::ENOMEM;
        }
        gained(ptr);
        // SAFETY: the caller passes a writable pointer.
        unsafe { out.write(ptr) };
        0
    }

    /// # Safety
    /// As `aligned_alloc(3)`.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn aligned_alloc(align: usize, size: usize) -> *mut c_void {
        // SAFETY: forwarded as it came.
        let ptr = unsafe { __libc_memalign(align, size) };
        gained(ptr);
        ptr
    }

    /// The peak of live heap over `f`, above what was live before it; what
    /// `f` returns is dropped outside the count.
    fn peak_of<T>(f: impl FnOnce() -> T) -> (usize, T) {
        LIVE.store(0, Ordering::Relaxed);
        PEAK.store(0, Ordering::Relaxed);
        COUNTING.store(true, Ordering::Relaxed);
        let out = f();
        COUNTING.store(false, Ordering::Relaxed);
        (PEAK.load(Ordering::Relaxed).max(0) as usize, out)
    }

    fn in_kernel(entering: bool) {
        COUNTING.store(!entering, Ordering::Relaxed);
    }

    fn row(what: &str, entries: usize, peak: usize, output: usize, buffer: usize) {
        let ratio = peak as f64 / (output + buffer) as f64;
        let verdict = if ratio <= 1.5 { "met" } else { "NOT met" };
        println!(
            "{what:<40} {entries:>7} {:>10} {:>10} {:>10} {ratio:>6.2}x  {verdict}",
            peak, output, buffer
        );
    }

    pub fn main() {
        println!("peak heap per call; {}\n", crate::common::machine());
        println!(
            "{:<40} {:>7} {:>10} {:>10} {:>10} {:>7}",
            "call", "entries", "peak B", "output B", "kernel B", "ratio"
        );
        for entries in [100, 1_000, 10_000] {
            let mut kernel = Kernel::new(typical_map(entries));
            kernel.set_hook(in_kernel);
            let hints = SizeHints::new();
            for call in ["first", "later"] {
                let (peak, (packed_len, len)) = peak_of(|| {
                    let packed =
                        fetch_packed(&mut kernel, Kernel::PID, &hints).expect("a static map");
                    let map = kinfo_vmmap::unpack(&packed).expect("well-formed records");
                    (packed.len(), map.len())
                });
                assert_eq!(len, entries);
                let what = format!("FreeBSD fetch + unpack, {call} call");
                row(&what, entries, peak, entries * ENTRY, packed_len);
            }
        }
        linux();
    }

    fn linux() {
        let child = crate::common::MappedChild::spawn(10_000);
        for (skip, what) in [
            (false, "Linux, smaps (with counts)"),
            (true, "Linux, maps (counts skipped)"),
        ] {
            // SAFETY: single-threaded; nothing reads the environment meanwhile.
            unsafe {
                if skip {
                    std::env::set_var("KINFO_VMMAP_SKIP_RESIDENT_COUNT", "1");
                } else {
                    std::env::remove_var("KINFO_VMMAP_SKIP_RESIDENT_COUNT");
                }
            }
            // A first call settles glibc's thresholds, as in a running program.
            drop(kinfo_vmmap::vmmap(child.pid).expect("the child's map"));
            let (peak, len) = peak_of(|| {
                kinfo_vmmap::vmmap(child.pid)
                    .expect("the child's map")
                    .len()
            });
            row(what, len, peak, len * ENTRY, READ_BUFFER);
        }
    }
}
