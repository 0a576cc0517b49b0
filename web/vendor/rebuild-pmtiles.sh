#!/usr/bin/env bash
# Re-creates web/vendor/pmtiles/ (the PMTiles reader the preview pages load
# to open a .pmtiles archive) from the npm registry: the package tarball of a
# pinned version, checked against its pinned SHA-512, unpacked, and its
# browser build (dist/pmtiles.js, an IIFE defining the global `pmtiles`, with
# fflate inside) copied as published. The package ships no licence file: the
# BSD-3-Clause text is the repository's LICENSE (protomaps/PMTiles), kept as
# LICENSE.txt; the script checks the package still declares that licence.
# Prints the SHA-256 of each file so a diff of web/vendor/README.md shows any change.
#
# usage: web/vendor/rebuild-pmtiles.sh      (needs npm and network access to the registry)
set -euo pipefail

VERSION=4.5.0
# `npm view pmtiles@4.5.0 dist.integrity`
INTEGRITY='sha512-CBeD4SoUluFziGdy/8k7FOjQxQy486n+929W/tWophauvMICpkZ26vGBWhDt/6b1FZQWNaf4jFdT/5+q0Wii5w=='

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dest=$here/pmtiles
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmtiles.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

command -v npm >/dev/null || { echo "rebuild-pmtiles.sh: npm not found" >&2; exit 1; }

(cd "$tmp" && npm pack --silent "pmtiles@$VERSION" >/dev/null)
tarball=$tmp/pmtiles-$VERSION.tgz
[ -f "$tarball" ] || { echo "rebuild-pmtiles.sh: npm pack did not produce $tarball" >&2; exit 1; }
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
    echo "rebuild-pmtiles.sh: pmtiles-$VERSION.tgz checksum $actual, expected $INTEGRITY" >&2
    exit 1
fi
tar -xzf "$tarball" -C "$tmp"
grep -q '"license": "BSD-3-Clause"' "$tmp/package/package.json" ||
    { echo "rebuild-pmtiles.sh: pmtiles $VERSION no longer declares BSD-3-Clause" >&2; exit 1; }

rm -rf "$dest.new"
mkdir -p "$dest.new"
cp "$tmp/package/dist/pmtiles.js" "$dest.new/"
cp "$dest/LICENSE.txt" "$dest.new/" 2>/dev/null ||
    { echo "rebuild-pmtiles.sh: keep LICENSE.txt (from github.com/protomaps/PMTiles/blob/main/LICENSE) in $dest" >&2; exit 1; }
rm -rf "$dest"
mv "$dest.new" "$dest"

echo "pmtiles $VERSION -> $dest"
(cd "$dest" && sha256sum pmtiles.js LICENSE.txt)
