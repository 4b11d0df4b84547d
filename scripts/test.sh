#!/usr/bin/env bash
# Every test of the project, from a fresh clone: the README's test command,
# and what CI runs. Installs what it needs first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step setup
bash scripts/setup.sh

step "format and lints (host)"
cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings

step "manual page"
# -Tlint also checks that every .Xr names a page installed here.
mandoc -Tlint man/*.3 2> >(grep -v 'outdated mandoc.db' >&2)

step "FreeBSD cross-builds, exports and linking"
bash scripts/freebsd-conformance.sh

step "tests"
cargo test --no-fail-fast
