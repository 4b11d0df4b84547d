//! The packed-record decoder on 50,000 records, against libutil's own
//! algorithm in C and against the bound no decoder can beat:
//!
//! ```text
//! cargo bench --bench decode
//! ```
//!
//! - `libutil_c`: `libutil_unpack()` of `benches/c/libutil_unpack.c`,
//!   libutil's two passes (count; `calloc`, then `memcpy` each record),
//!   built here with `cc -O2 -shared` (`$CC` if set) and loaded with
//!   `dlopen(3)`;
//! - `kinfo_vmmap`: `kinfo_vmmap::unpack`, which also checks every size;
//! - `bound`: `malloc` of the output, `memset` of all of it and one
//!   `memcpy` of the packed bytes (`bound_unpack()` in the same file).
//!
//! Each call allocates its output, and the time includes freeing it. The
//! same is measured on 10,000 records, since the two sizes meet glibc's
//! allocator in different states: an array of 58 MB is above its largest
//! mmap threshold (32 MiB), so every call gets fresh pages that fault in
//! one by one, zeroed by the kernel (`calloc` then need not zero them
//! again, and the page faults cost more than everything else together);
//! an array of 11.6 MB is served from reused heap after the first call,
//! so its pages are warm and whoever needs zeros writes them.
//! The records are a typical map's: a third anonymous (no path), the rest
//! library and data file paths of 14 to 49 bytes.

use core::ffi::{c_char, c_int, c_void};
use std::ffi::CString;
use std::hint::black_box;
use std::path::Path;
use std::process::Command;

use criterion::Criterion;
use kinfo_vmmap::abi::{KVME_TYPE_SWAP, KVME_TYPE_VNODE, kinfo_vmentry};

mod common;

const RECORDS: usize = 50_000;
/// A size whose output glibc serves from reused heap after the first call.
const SMALLER: usize = 10_000;
/// The head of a record: everything before `kve_path`.
const HEAD: usize = core::mem::offset_of!(kinfo_vmentry, kve_path);

const PATHS: [&str; 6] = [
    "/lib/libc.so.7",
    "/usr/lib/libthr.so.3",
    "/libexec/ld-elf.so.1",
    "/usr/local/lib/firefox/libxul.so",
    "/usr/local/lib/libglib-2.0.so.0.8000.5",
    "/usr/local/share/fonts/dejavu/DejaVuSans-Bold.ttf",
];

type LibutilUnpack = unsafe extern "C" fn(*const c_char, usize, *mut c_int) -> *mut kinfo_vmentry;
type BoundUnpack = unsafe extern "C" fn(*const c_char, usize, c_int) -> *mut kinfo_vmentry;

/// The two C references, from a shared object built for this run.
struct CReferences {
    libutil: LibutilUnpack,
    bound: BoundUnpack,
}

impl CReferences {
    fn build() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("libutil_unpack.so");
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
        let status = Command::new(&cc)
            .args(["-O2", "-shared", "-fPIC", "-I"])
            .arg(root.join("include"))
            .arg("-o")
            .arg(&out)
            .arg(root.join("benches/c/libutil_unpack.c"))
            .status()
            .unwrap_or_else(|e| panic!("{cc}: {e}"));
        assert!(
            status.success(),
            "{cc} failed on benches/c/libutil_unpack.c"
        );
        let path = CString::new(out.into_os_string().into_encoded_bytes()).expect("a path");
        // SAFETY: `path` is NUL-terminated; the object has no constructors.
        let handle = unsafe { libc::dlopen(path.as_ptr(), libc::RTLD_NOW) };
        assert!(!handle.is_null(), "dlopen of the C references failed");
        let symbol = |name: &core::ffi::CStr| {
            // SAFETY: `handle` is a live handle (never closed) and `name`
            // is NUL-terminated.
            let sym = unsafe { libc::dlsym(handle, name.as_ptr()) };
            assert!(!sym.is_null(), "{name:?} is missing");
            sym
        };
        let (libutil, bound) = (symbol(c"libutil_unpack"), symbol(c"bound_unpack"));
        // SAFETY: both symbols are the C functions above, whose signatures
        // these types restate; the library stays loaded for the process.
        unsafe {
            Self {
                libutil: core::mem::transmute::<*mut c_void, LibutilUnpack>(libutil),
                bound: core::mem::transmute::<*mut c_void, BoundUnpack>(bound),
            }
        }
    }
}

/// `count` records packed as FreeBSD's kernel packs them.
fn packed_records(count: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..count {
        let mut e = kinfo_vmentry::zeroed();
        e.kve_start = 0x8_0000_0000 + 0x1000 * i as u64;
        e.kve_end = e.kve_start + 0x1000;
        e.kve_resident = (i % 7) as c_int;
        e.kve_protection = 1;
        let path = if i % 3 == 0 {
            e.kve_type = KVME_TYPE_SWAP;
            ""
        } else {
            e.kve_type = KVME_TYPE_VNODE;
            PATHS[i % PATHS.len()]
        };
        for (dst, &src) in e.kve_path.iter_mut().zip(path.as_bytes()) {
            *dst = src as c_char;
        }
        let size = (HEAD + path.len() + 1).next_multiple_of(8);
        e.kve_structsize = size as c_int;
        // SAFETY: `kinfo_vmentry` is plain integers with no padding (the
        // library asserts its layout), so its bytes may be read.
        let bytes = unsafe {
            core::slice::from_raw_parts((&raw const e).cast::<u8>(), size_of::<kinfo_vmentry>())
        };
        out.extend_from_slice(&bytes[..size]);
    }
    out
}

fn bench_group(c: &mut Criterion, group: &str, refs: &CReferences, packed: &[u8], records: usize) {
    let mut g = c.benchmark_group(group);
    g.sample_size(30);
    g.bench_function("libutil_c", |b| {
        b.iter(|| {
            let mut count = 0;
            // SAFETY: `packed` is readable for its length and holds valid
            // records, which is all libutil's loop needs; `count` is a
            // live int. The array is malloc'd and freed here.
            unsafe {
                let array = (refs.libutil)(packed.as_ptr().cast(), packed.len(), &mut count);
                assert!(!array.is_null());
                black_box(&*array);
                libc::free(array.cast());
            }
            count
        });
    });
    g.bench_function("kinfo_vmmap", |b| {
        b.iter(|| {
            let map = kinfo_vmmap::unpack(black_box(packed)).expect("valid records");
            black_box(&map[0]);
            map.len()
        });
    });
    g.bench_function("bound", |b| {
        b.iter(|| {
            // SAFETY: `bound_unpack` writes `records` entries into its own
            // malloc'd array, which the packed bytes (smaller) fit in.
            unsafe {
                let array = (refs.bound)(packed.as_ptr().cast(), packed.len(), records as c_int);
                assert!(!array.is_null());
                black_box(&*array);
                libc::free(array.cast());
            }
        });
    });
    g.finish();
}

/// The C baseline and the library decode `packed` alike.
fn assert_same(refs: &CReferences, packed: &[u8], records: usize) {
    let map = kinfo_vmmap::unpack(packed).expect("valid records");
    let mut count = 0;
    // SAFETY: as in `bench_group`; the array holds `count` entries.
    unsafe {
        let array = (refs.libutil)(packed.as_ptr().cast(), packed.len(), &mut count);
        let c = core::slice::from_raw_parts(array, count as usize);
        assert_eq!((c.len(), map.len()), (records, records));
        for (c, rust) in c.iter().zip(map.iter()) {
            assert_eq!(c.kve_start, rust.kve_start);
            assert_eq!(c.kve_structsize, rust.kve_structsize);
            assert_eq!(c.path_bytes(), rust.as_raw().path_bytes());
        }
        libc::free(array.cast());
    }
}

fn main() {
    let refs = CReferences::build();
    println!("{}", common::machine());
    let mut c = common::criterion();
    let sizes = [(RECORDS, "decode_50000"), (SMALLER, "decode_10000")];
    for (records, group) in sizes {
        let packed = packed_records(records);
        assert_same(&refs, &packed, records);
        println!(
            "{records} packed records: {} bytes in, {} bytes out",
            packed.len(),
            records * size_of::<kinfo_vmentry>()
        );
        bench_group(&mut c, group, &refs, &packed, records);
    }
    c.final_summary();

    let rows = [
        ("libutil_c", "libutil's algorithm in C (the baseline)"),
        ("kinfo_vmmap", "kinfo_vmmap::unpack"),
        ("bound", "malloc + memset + memcpy (the bound)"),
    ];
    for (records, group) in sizes {
        common::summary(
            &format!("decoding {records} records; ratio to the baseline"),
            group,
            "libutil_c",
            &rows,
        );
    }
}
