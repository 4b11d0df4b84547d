//! The packed-record decoder, through `unpack` and the C face's
//! `kinfo_vmmap_unpack`, held against a reference decoder.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kinfo_vmmap::__internals::fuzz::unpack(data));
