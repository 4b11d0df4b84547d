#!/usr/bin/env bash
# Every test of the project, from a fresh clone: the README's test command,
# and what CI runs. Installs what it needs first (scripts/setup.sh).
#
# Two packages, each its own workspace: the C library at the root, and the
# kinfo-vmmap crate in crates/kinfo-vmmap, which the C library builds
# without std.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }
crate=(--manifest-path crates/kinfo-vmmap/Cargo.toml)

step setup
bash scripts/setup.sh

step "format and lints (host)"
cargo fmt --check
cargo fmt --check "${crate[@]}"
cargo fmt --check --manifest-path crates/kinfo-vmmap/fuzz/Cargo.toml
cargo clippy --all-targets --quiet -- -D warnings
cargo clippy "${crate[@]}" --all-targets --quiet -- -D warnings
# The crate as the C library builds it: no std, the C names exported.
cargo clippy "${crate[@]}" --lib --no-default-features --features export-symbols --quiet -- -D warnings

step "API documentation"
RUSTDOCFLAGS="-D warnings" cargo doc "${crate[@]}" --no-deps --quiet

step "manual pages"
# -Tlint also checks that every .Xr names a page installed here, or a file
# in the current directory: run in man/, the pages may name each other.
(cd man && mandoc -Tlint -- *.3) 2> >(grep -v 'outdated mandoc.db' >&2)

step "FreeBSD cross-builds, exports and linking"
bash scripts/freebsd-conformance.sh

step "Miri: the decoder, the C face and the fetch's kernel double"
# The unit tests Miri can run: no /proc, no fork. stat(2) fails under its
# isolation, as for a file that is not there. The growth test is left out
# for time: the same code runs in the others.
MIRIFLAGS=-Zmiri-isolation-error=warn-nobacktrace \
	cargo +nightly miri test "${crate[@]}" --lib --quiet -- \
	unpack:: capi:: vmmap:: abi:: error:: entry:: flags:: map_path:: object_type:: vnode:: \
	sys::fetch_packed:: __internals::fuzz:: \
	--skip growth_stays_within_half_again_of_the_entries

step "fuzz smoke run (the long run: scripts/fuzz.sh long)"
bash scripts/fuzz.sh smoke

step "tests: the kinfo-vmmap crate"
cargo test "${crate[@]}" --no-fail-fast

step "tests: the C library, as shipped"
cargo test --no-fail-fast
