//! The text of `/proc/PID/maps`, `smaps` and `stat`: the line splitter,
//! every line parser and the Linux entry builder, held against references.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kinfo_vmmap::__internals::fuzz::procfs_text(data));
