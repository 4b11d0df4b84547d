//! The committed C header is exactly what cbindgen generates from the
//! sources. Run with `KINFO_VMMAP_BLESS=1` to refresh it after a change.

use std::path::Path;

#[test]
fn committed_header_matches_the_generated_one() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/kinfo_vmmap.h"));
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/kinfo_vmmap.h");
    if std::env::var_os("KINFO_VMMAP_BLESS").is_some() {
        std::fs::write(&committed_path, generated).unwrap();
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap();
    assert!(
        committed == generated,
        "include/kinfo_vmmap.h differs from what cbindgen generates; \
         rerun with KINFO_VMMAP_BLESS=1 and commit the result"
    );
}
