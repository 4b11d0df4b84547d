//! A counting heap for the benchmarks that report peak heap (`memory.rs`,
//! `system.rs`): `malloc`, `calloc`, `realloc`, `free` and the aligned
//! kinds defined here, which the linker resolves before glibc's, forward
//! to glibc's `__libc_*` entry points and keep count of the usable size
//! (`malloc_usable_size(3)`) of every live block while a measured call
//! runs. The library allocates with `malloc(3)` directly (the array handed
//! to C) and through Rust's system allocator (buffers), so a Rust global
//! allocator would see only half of it. A `realloc` counts as one step,
//! the old block out and the new one in: above glibc's mmap threshold it
//! moves pages with `mremap(2)` and never holds both copies.
//!
//! Included as a module only by the benchmarks that count: defining
//! `malloc` replaces it for the whole program.

#![allow(dead_code)]

use core::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

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
pub unsafe extern "C" fn posix_memalign(out: *mut *mut c_void, align: usize, size: usize) -> c_int {
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
pub fn peak_of<T>(f: impl FnOnce() -> T) -> (usize, T) {
    LIVE.store(0, Ordering::Relaxed);
    PEAK.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    let out = f();
    COUNTING.store(false, Ordering::Relaxed);
    (PEAK.load(Ordering::Relaxed).max(0) as usize, out)
}

pub fn in_kernel(entering: bool) {
    COUNTING.store(!entering, Ordering::Relaxed);
}
