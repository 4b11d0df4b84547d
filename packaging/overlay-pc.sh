#!/bin/sh
# Writes kinfo-vmmap-overlay.pc beside the kinfo-vmmap.pc that `cargo
# cinstall` installed. cargo-c makes one pkg-config file per library; the
# overlay needs a second, whose Cflags put the overlay <sys/user.h> and
# <libutil.h> ahead of the system's, as libbsd-overlay.pc does for libbsd:
#
#	pkg-config --cflags kinfo-vmmap-overlay
#	-isystem ${includedir}/kinfo_vmmap/overlay -I${includedir}/kinfo_vmmap
#
# The variables (prefix, libdir, includedir) are copied from kinfo-vmmap.pc,
# so the two agree whatever --prefix, --libdir or --includedir cinstall was
# given; Libs come from kinfo-vmmap through Requires.
#
# usage: overlay-pc.sh PKGCONFIGDIR
#	PKGCONFIGDIR is where cinstall put kinfo-vmmap.pc, under any
#	--destdir: PREFIX/lib/pkgconfig (PREFIX/lib/<multiarch>/pkgconfig by
#	default on Debian), PREFIX/libdata/pkgconfig on FreeBSD.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: overlay-pc.sh PKGCONFIGDIR" >&2
	exit 2
fi
dir=$1
base=$dir/kinfo-vmmap.pc
if [ ! -f "$base" ]; then
	echo "overlay-pc.sh: $base not found; run cargo cinstall first" >&2
	exit 1
fi
version=$(sed -n 's/^Version: *//p' "$base")
if [ -z "$version" ]; then
	echo "overlay-pc.sh: $base has no Version" >&2
	exit 1
fi

# Written aside and renamed, so that a failure leaves no half a file.
tmp=$dir/.kinfo-vmmap-overlay.pc.$$
trap 'rm -f "$tmp"' EXIT
{
	sed -n '/^[A-Za-z_][A-Za-z0-9_.]*=/p' "$base"
	cat <<PC

Name: kinfo-vmmap-overlay
Description: kinfo_getvmmap(3) through the overlay <sys/user.h> and <libutil.h>, as on FreeBSD
Version: $version
Requires: kinfo-vmmap = $version
Cflags: -isystem \${includedir}/kinfo_vmmap/overlay
PC
} >"$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$dir/kinfo-vmmap-overlay.pc"
