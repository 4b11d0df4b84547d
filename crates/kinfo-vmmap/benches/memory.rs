//! Peak heap per call, against the output and the kernel's buffer:
//!
//! ```text
//! cargo bench --bench memory
//! ```
//!
//! The heap is counted by `benches/heap/mod.rs`, which interposes the
//! `malloc` family.
//!
//! - FreeBSD (the kernel double, on any OS): `fetch_packed` and `unpack`,
//!   for maps of 100, 1,000 and 10,000 entries, first and later calls.
//!   The double's own allocations, which play the kernel's part, are left
//!   out. The kernel's buffer is the packed records' length.
//! - Linux: `kinfo_vmmap::vmmap_with` on children with 100, 1,000 and
//!   10,000 mappings, with resident counts (`smaps`) and without (`maps`).
//!   The kernel's buffer is what the text is read into: 64 KiB chunks of
//!   `smaps`, the whole of `maps`.
//!
//! The goal is a peak of at most 1.5 times the output plus that buffer.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod common;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod heap;

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
    use kinfo_vmmap::__internals::bench::{Kernel, SizeHints, fetch_packed, typical_map};
    use kinfo_vmmap::abi::kinfo_vmentry;

    const ENTRY: usize = size_of::<kinfo_vmentry>();

    use crate::heap::{in_kernel, peak_of};

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
        for mappings in [100, 1_000, 10_000] {
            linux_child(mappings);
        }
    }

    fn linux_child(mappings: usize) {
        let child = kinfo_vmmap::__internals::mapped_child::MappedChild::spawn(mappings);
        for (counts, what) in [
            (true, "Linux, smaps (with counts)"),
            (false, "Linux, maps (counts skipped)"),
        ] {
            let options = kinfo_vmmap::Options::new().resident_counts(counts);
            // A first call settles glibc's thresholds, as in a running program.
            drop(kinfo_vmmap::vmmap_with(child.pid, &options).expect("the child's map"));
            let (peak, len) = peak_of(|| {
                kinfo_vmmap::vmmap_with(child.pid, &options)
                    .expect("the child's map")
                    .len()
            });
            // `smaps` is read in 64 KiB chunks, whatever its length;
            // `maps` whole, into a buffer that grows with the text: the
            // backend says how large.
            let text_len = if counts {
                0
            } else {
                std::fs::read(format!("/proc/{}/maps", child.pid))
                    .expect("maps")
                    .len()
            };
            let buffer = kinfo_vmmap::__internals::read_buffer(counts, text_len);
            row(what, len, peak, len * ENTRY, buffer);
        }
    }
}
