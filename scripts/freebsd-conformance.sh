#!/usr/bin/env bash
# Builds the C library for FreeBSD (amd64, i386 and arm64) on this host and
# checks what a FreeBSD program would see of it: the exported symbols, the
# shared libraries it pulls in (libc.so.7 alone, as libutil), its size, and
# that a C program written against FreeBSD's own <sys/user.h> and
# <libutil.h> links against the shared library and, with -lc alone, against
# the static one. Nothing here can run the code; tests/freebsd_layout.rs
# checks the struct layout.
#
# Prerequisites: scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=${KINFO_VMMAP_PYTHON:-$root/.venv/bin/python}
target_dir=${CARGO_TARGET_DIR:-target}
out=$target_dir/freebsd-conformance
mkdir -p "$out"

if [[ ! -x $python ]] || ! "$python" -m ziglang version >/dev/null 2>&1; then
	echo "freebsd-conformance: zig not found in $python; run scripts/setup.sh" >&2
	exit 1
fi
for tool in readelf cargo rustup; do
	command -v "$tool" >/dev/null || {
		echo "freebsd-conformance: $tool not found; run scripts/setup.sh" >&2
		exit 1
	}
done

# The Rust triples, with zig's name for the same FreeBSD target and the
# machine readelf must report.
triples=(x86_64-unknown-freebsd i686-unknown-freebsd aarch64-unknown-freebsd)
declare -A zig_target=([x86_64-unknown-freebsd]=x86_64-freebsd.14.0 [i686-unknown-freebsd]=x86-freebsd.14.0
	[aarch64-unknown-freebsd]=aarch64-freebsd.14.0)
declare -A machine=([x86_64-unknown-freebsd]="Advanced Micro Devices X86-64" [i686-unknown-freebsd]="Intel 80386"
	[aarch64-unknown-freebsd]="AArch64")
declare -A stub_arch=([x86_64-unknown-freebsd]=x86_64 [i686-unknown-freebsd]=x86 [aarch64-unknown-freebsd]=aarch64)
# The stripped shared library may be no larger than this (40 KiB).
max_stripped=40960

exports=(kinfo_getvmmap kinfo_vmmap_unpack)
# The library has no std in it, so nothing of Rust's runtime reaches for
# libthr (std's thread-local keys) or libgcc_s (unwinding): like libutil, it
# needs libc.so.7 and nothing else.
required_needed=(libc.so.7)
allowed_needed=(libc.so.7)
allowed=$(printf '%s\n' "${allowed_needed[@]}")
# What `pkg-config --static --libs kinfo-vmmap` gives for the .a.
static_libs=(-lc)

passed=0
failed=0

# check NAME FUNCTION ARGS...: runs FUNCTION with its output kept aside; a
# one-line summary it writes to fd 3 is printed with the verdict, the rest
# only when it fails. FUNCTION runs as an `if` condition, where bash ignores
# set -e, so every step in it that can fail says `|| return 1`.
check() {
	local name=$1 log info start
	shift
	log=$(mktemp)
	info=$(mktemp)
	start=$(date +%s%N)
	if "$@" >"$log" 2>&1 3>"$info"; then
		printf 'ok   %s%s (%s)\n' "$name" "$(summary "$info")" "$(elapsed "$start")"
		passed=$((passed + 1))
	else
		printf 'FAIL %s%s (%s)\n' "$name" "$(summary "$info")" "$(elapsed "$start")"
		tail -n 40 "$log" | sed 's/^/     | /'
		failed=$((failed + 1))
	fi
	rm -f "$log" "$info"
}
elapsed() {
	local ms=$((($(date +%s%N) - $1) / 1000000))
	printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100))
}
summary() {
	[[ -s $1 ]] && printf ': %s' "$(tr '\n' ' ' <"$1" | sed 's/ *$//')"
	return 0
}
note() { echo "$*" >&3; }

zig_cc() { "$python" -m ziglang cc "$@"; }

# listed WORD LINES: whether WORD is one of the newline-separated LINES.
# (Not `... | grep -q`: grep's early exit can kill the writer with SIGPIPE,
# which pipefail reports as a failure.)
listed() { [[ $'\n'$2$'\n' == *$'\n'"$1"$'\n'* ]]; }

# The defined global functions of an ELF object or archive. readelf, not
# nm: Debian's nm hands objects carrying LLVM bitcode to its LTO plugin,
# which is too old for rustc's, and then lists nothing.
defined_functions() {
	readelf -s -W "$1" | awk '$7 != "UND" && $4 == "FUNC" && ($5 == "GLOBAL" || $5 == "WEAK") { sub(/@.*/, "", $8); print $8 }'
}

build() {
	local triple=$1
	if [[ $triple == x86_64-* ]]; then
		cargo build --release --lib --target "$triple"
	else
		# rustup ships no core or alloc for i386 or arm64 FreeBSD; nightly
		# builds them (the library needs nothing else of Rust's).
		cargo +nightly build --release --lib -Zbuild-std=core,alloc --target "$triple"
	fi
}

# Both packages, for FreeBSD: the C library, and the kinfo-vmmap crate with
# and without std.
clippy() {
	local crate=(--manifest-path crates/kinfo-vmmap/Cargo.toml --target x86_64-unknown-freebsd)
	cargo clippy --all-targets --target x86_64-unknown-freebsd -- -D warnings || return 1
	cargo clippy "${crate[@]}" --all-targets -- -D warnings || return 1
	cargo clippy "${crate[@]}" --lib --no-default-features --features export-symbols -- -D warnings
}

# The stripped size of the amd64 shared library, within max_stripped, the
# goal set for it. (GNU strip reads x86 objects only.)
stripped_size() {
	local so=$target_dir/$1/release/libkinfo_vmmap.so stripped size
	stripped=$out/${stub_arch[$1]}/libkinfo_vmmap.stripped.so
	mkdir -p "${stripped%/*}"
	strip -o "$stripped" "$so" || return 1
	size=$(stat -c %s "$stripped")
	note "$size bytes stripped (at most $max_stripped)"
	((size <= max_stripped))
}

artifacts() {
	local triple=$1 dir=$target_dir/$1/release f
	for f in "$dir/libkinfo_vmmap.so" "$dir/libkinfo_vmmap.a"; do
		[[ -f $f ]] || {
			note "$f missing"
			return 1
		}
	done
	local got
	got=$(readelf -h "$dir/libkinfo_vmmap.so" | sed -n 's/^ *Machine: *//p')
	if [[ $got != "${machine[$triple]}" ]]; then
		note "libkinfo_vmmap.so is for $got, not ${machine[$triple]}"
		return 1
	fi
	note "$(stat -c %s "$dir/libkinfo_vmmap.so") bytes .so, $(stat -c %s "$dir/libkinfo_vmmap.a") bytes .a"
}

# The names in an object's version definitions, which readelf lists among
# the defined dynamic symbols.
version_definitions() {
	readelf -V -W "$1" | sed -n '/^Version definition/,/^Version needs/p' |
		grep -o 'Name: [^ ]*' | cut -d' ' -f2 | sort -u
}

exported_symbols() {
	local so=$target_dir/$1/release/libkinfo_vmmap.so got want
	[[ -f $so ]] || {
		note "$so missing"
		return 1
	}
	# Defined GLOBAL/WEAK dynamic symbols as "name type", "@version" cut.
	got=$(readelf --dyn-syms -W "$so" |
		awk '$7 != "UND" && ($5 == "GLOBAL" || $5 == "WEAK") { sub(/@.*/, "", $8); print $8, $4 }' |
		grep -vxFf <(version_definitions "$so" | sed 's/$/ OBJECT/') | sort || true)
	want=$(printf '%s FUNC\n' "${exports[@]}" | sort)
	note "$(echo "$got" | tr '\n' ',' | sed 's/,$//; s/,/, /g')"
	if [[ $got != "$want" ]]; then
		echo "exported: $got"
		echo "expected exactly: $want"
		return 1
	fi
}

# The exports carry no version of their own (.gnu.version index 0 or 1), so
# that rtld lets them satisfy a reference to libutil's versioned
# kinfo_getvmmap@FBSD_1.8 when the library is preloaded or linked before
# -lutil; it passes over a definition under another version name
# (tests/overlay.rs shows the same rule in glibc's ld.so).
unversioned_exports() {
	local so=$target_dir/$1/release/libkinfo_vmmap.so defs
	[[ -f $so ]] || {
		note "$so missing"
		return 1
	}
	defs=$(version_definitions "$so" || true)
	if [[ -n $defs ]]; then
		echo "version definitions: $defs"
		return 1
	fi
	note "no version definitions"
}

needed() { readelf -d -W "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'; }

needed_libraries() {
	local so=$target_dir/$1/release/libkinfo_vmmap.so lib ok=0
	[[ -f $so ]] || {
		note "$so missing"
		return 1
	}
	local got
	got=$(needed "$so")
	note "$(echo "$got" | tr '\n' ' ')"
	for lib in "${required_needed[@]}"; do
		listed "$lib" "$got" || {
			echo "$lib is not NEEDED"
			ok=1
		}
	done
	for lib in $got; do
		if ! listed "$lib" "$allowed"; then
			echo "$lib is NEEDED; only ${allowed_needed[*]} may be"
			ok=1
		fi
	done
	return $ok
}

# Each undefined dynamic symbol as "library symbol", the library read from
# the version it was bound to; "-" for a symbol bound to no version.
imports_by_library() {
	{
		readelf -V -W "$1" | sed -n '/^Version needs/,$p'
		echo '--- symbols'
		readelf --dyn-syms -W "$1"
	} | awk '
		/^--- symbols/ { symbols = 1; next }
		!symbols && /File:/ { for (i = 1; i <= NF; i++) if ($i == "File:") file = $(i + 1) }
		!symbols && /Name:/ && /Version:/ { for (i = 1; i <= NF; i++) if ($i == "Version:") lib[$(i + 1)] = file }
		symbols && $7 == "UND" && $8 != "" {
			name = $8; sub(/@.*/, "", name)
			index_ = $9; gsub(/[()]/, "", index_)
			print ((index_ in lib) ? lib[index_] : "-"), name
		}'
}

imports() {
	local so=$target_dir/$1/release/libkinfo_vmmap.so
	[[ -f $so ]] || {
		note "$so missing"
		return 1
	}
	local list unbound thr other
	list=$(imports_by_library "$so")
	# Every library imports from libc; nothing at all means readelf failed.
	[[ -n $list ]] || {
		echo "no imports found in $so"
		return 1
	}
	unbound=$(awk '$1 == "-" { print $2 }' <<<"$list")
	other=$(awk '$1 != "-" && $1 != "libc.so.7"' <<<"$list")
	note "$(grep -c . <<<"$list") imports, all from libc.so.7: $(awk '{ print $2 }' <<<"$list" | sort | tr '\n' ' ')"
	local ok=0
	# An unversioned import means a stub library, not FreeBSD, resolved
	# it at link time (or nothing did).
	if [[ -n $unbound ]]; then
		echo "imports bound to no FreeBSD library: $unbound"
		ok=1
	fi
	if [[ -n $other ]]; then
		echo "imports from unexpected libraries: $other"
		ok=1
	fi
	return $ok
}

static_archive() {
	local a=$target_dir/$1/release/libkinfo_vmmap.a sym defined
	[[ -f $a ]] || {
		note "$a missing"
		return 1
	}
	defined=$(defined_functions "$a")
	for sym in "${exports[@]}"; do
		listed "$sym" "$defined" || {
			note "$sym not defined in $a"
			return 1
		}
	done
	note "defines ${exports[*]}"
}

consumer_shared() {
	local triple=$1 exe=$out/${stub_arch[$1]}/consumer
	mkdir -p "${exe%/*}"
	rm -f "$exe"
	[[ -f include/kinfo_vmmap.h ]] || {
		note "include/kinfo_vmmap.h missing"
		return 1
	}
	# Linked without -lutil so that only this library can supply
	# kinfo_getvmmap; --no-allow-shlib-undefined also fails the link on an
	# import of the library that FreeBSD's libraries don't define.
	zig_cc -target "${zig_target[$triple]}" -Wall -Wextra -Werror -fno-sanitize=undefined -I include \
		-o "$exe" tests/freebsd/consumer.c \
		-L "$target_dir/$triple/release" -lkinfo_vmmap -Wl,--no-allow-shlib-undefined || return 1
	local got
	got=$(needed "$exe")
	note "NEEDED $(echo "$got" | tr '\n' ' ')"
	[[ $'\n'$got == *$'\n'libkinfo_vmmap.so* ]] || {
		echo "the consumer does not NEED libkinfo_vmmap.so"
		return 1
	}
	listed kinfo_getvmmap "$(readelf --dyn-syms -W "$exe" | awk '$7 == "UND" { sub(/@.*/, "", $8); print $8 }')" || {
		echo "the consumer does not import kinfo_getvmmap"
		return 1
	}
}

consumer_static() {
	local triple=$1 arch=${stub_arch[$1]} exe
	exe=$out/$arch/consumer-static
	mkdir -p "${exe%/*}"
	rm -f "$exe"
	# -fno-sanitize=undefined: zig's C compiler adds a UBSan runtime to
	# debug builds, which itself needs libthr; the test is of this library.
	zig_cc -target "${zig_target[$triple]}" -Wall -Wextra -Werror -fno-sanitize=undefined -I include \
		-o "$exe" tests/freebsd/consumer.c "$target_dir/$triple/release/libkinfo_vmmap.a" \
		"${static_libs[@]}" || return 1
	local got lib
	got=$(needed "$exe")
	note "NEEDED $(echo "$got" | tr '\n' ' ')"
	for lib in $got; do
		if ! listed "$lib" "$allowed"; then
			echo "$lib is NEEDED; only ${allowed_needed[*]} may be"
			return 1
		fi
	done
	listed kinfo_getvmmap "$(defined_functions "$exe")" || {
		echo "kinfo_getvmmap is not linked into the consumer"
		return 1
	}
}

for triple in "${triples[@]}"; do
	check "build $triple" build "$triple"
done
check "clippy x86_64-unknown-freebsd" clippy
for triple in "${triples[@]}"; do
	check "$triple artifacts" artifacts "$triple"
	if [[ $triple == x86_64-* ]]; then
		check "$triple .so size" stripped_size "$triple"
	fi
	check "$triple .so exports" exported_symbols "$triple"
	check "$triple .so unversioned" unversioned_exports "$triple"
	check "$triple .so NEEDED" needed_libraries "$triple"
	check "$triple .so imports" imports "$triple"
	check "$triple .a symbols" static_archive "$triple"
	check "$triple C consumer, shared" consumer_shared "$triple"
	check "$triple C consumer, static" consumer_static "$triple"
done

echo "freebsd-conformance: $passed passed, $failed failed"
((failed == 0))
