//! kinfo-vmmap: FreeBSD's `kinfo_getvmmap(3)`, a process's virtual memory map.
pub mod abi;
mod error;
mod unpack;
mod vmmap;

pub use abi::kinfo_vmentry;
pub use error::{Error, Malformed};
pub use unpack::unpack;
pub use vmmap::VmMap;
