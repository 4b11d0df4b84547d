//! What one call costs FreeBSD's kernel: walks of the map and bytes copied
//! out, counted by the kernel double (`src/sys/kernel_double.rs`), which
//! walks the whole map on every `KERN_PROC_VMMAP` call, a size probe
//! included, as `sys/kern/kern_proc.c` does. It runs on any OS:
//!
//! ```text
//! cargo bench --features bench-internals --bench freebsd_fetch
//! ```
//!
//! For maps of 100, 1,000 and 10,000 entries, against libutil's algorithm
//! run on the same double: probe for the size, allocate it plus a third,
//! read. The library reads first into a buffer sized from its last call
//! (64 KiB before any), so its first call in a process on a map that does
//! not fit costs a failed read, a probe and a read; every later call, one
//! read. These are counts, not times: the double's own speed says nothing
//! of the kernel's.

use kinfo_vmmap::__internals::bench::{Kernel, SizeHint, fetch_packed, typical_map};

const SIZES: [usize; 3] = [100, 1_000, 10_000];

/// libutil's `kinfo_getvmmap(3)` up to the unpacking: a probe, a buffer of
/// the size found plus a third, a read. Fails with the errno, as it does,
/// when the map outgrew the slack in between.
fn libutil_fetch(kernel: &mut Kernel) -> Result<Vec<u8>, i32> {
    let len = kernel.sysctl(Kernel::PID, None)?;
    let len = len * 4 / 3;
    let mut buf: Vec<u8> = Vec::with_capacity(len);
    let got = kernel.sysctl(Kernel::PID, Some(&mut buf.spare_capacity_mut()[..len]))?;
    // SAFETY: the kernel initialised the first `got <= len` bytes.
    unsafe { buf.set_len(got.min(len)) };
    Ok(buf)
}

struct Cost {
    walks: usize,
    probes: usize,
    bytes_copied: usize,
    buffer: usize,
}

fn cost(kernel: &mut Kernel, fetch: impl FnOnce(&mut Kernel) -> Vec<u8>) -> Cost {
    kernel.reset_counts();
    let packed = fetch(kernel);
    // The fetched buffer decodes to the whole map.
    let map = kinfo_vmmap::unpack(&packed).expect("well-formed records");
    assert!(!map.is_empty());
    Cost {
        walks: kernel.walks(),
        probes: kernel.probes(),
        bytes_copied: kernel.bytes_copied(),
        buffer: packed.capacity(),
    }
}

fn main() {
    println!("kernel walks and bytes copied per call, from the kernel double\n");
    println!(
        "{:>8} {:>10}  {:<34} {:>5} {:>6} {:>12} {:>10}",
        "entries", "packed B", "caller", "walks", "probes", "bytes copied", "buffer B"
    );
    for entries in SIZES {
        let map = typical_map(entries);
        let mut kernel = Kernel::new(map);
        let packed_len = {
            let mut out = Vec::new();
            for e in &typical_map(entries) {
                kinfo_vmmap::__internals::bench::pack(e, &mut out);
            }
            out.len()
        };
        let libutil = cost(&mut kernel, |k| libutil_fetch(k).expect("a static map"));
        let hint = SizeHint::new();
        let first = cost(&mut kernel, |k| {
            fetch_packed(k, &hint).expect("a static map")
        });
        let later = cost(&mut kernel, |k| {
            fetch_packed(k, &hint).expect("a static map")
        });
        for (who, c) in [
            ("libutil (probe, then read)", &libutil),
            ("kinfo_vmmap, first call", &first),
            ("kinfo_vmmap, every later call", &later),
        ] {
            println!(
                "{entries:>8} {packed_len:>10}  {who:<34} {:>5} {:>6} {:>12} {:>10}",
                c.walks, c.probes, c.bytes_copied, c.buffer
            );
        }
    }
}
