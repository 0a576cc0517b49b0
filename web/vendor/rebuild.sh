#!/usr/bin/env bash
# Re-creates web/vendor/maplibre-gl/ (the MapLibre GL JS build the vector
# tiles' preview page loads) from the npm registry: the package tarball of a
# pinned version, checked against its pinned SHA-512, unpacked, and the three
# files we ship copied as published (minified, unmodified). Prints the
# SHA-256 of each file so a diff of web/vendor/README.md shows any change.
#
# usage: web/vendor/rebuild.sh      (needs npm and network access to the registry)
set -euo pipefail

VERSION=4.7.1
# `npm view maplibre-gl@4.7.1 dist.integrity`: the registry's checksum of the
# tarball; a different tarball under the same version is refused.
INTEGRITY='sha512-lgL7XpIwsgICiL82ITplfS7IGwrB1OJIw/pCvprDp2dhmSSEBgmPzYRvwYYYvJGJD7fxUv1Tvpih4nZ6VrLuaA=='

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dest=$here/maplibre-gl
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maplibre-gl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

command -v npm >/dev/null || { echo "rebuild.sh: npm not found (Debian: apt-get install npm)" >&2; exit 1; }

(cd "$tmp" && npm pack --silent "maplibre-gl@$VERSION" >/dev/null)
tarball=$tmp/maplibre-gl-$VERSION.tgz
[ -f "$tarball" ] || { echo "rebuild.sh: npm pack did not produce $tarball" >&2; exit 1; }
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
    echo "rebuild.sh: maplibre-gl-$VERSION.tgz checksum $actual, expected $INTEGRITY" >&2
    exit 1
fi
tar -xzf "$tarball" -C "$tmp"

# The licence must still be the one web/vendor/README.md records.
grep -q 'BSD 3-Clause\|Redistribution and use in source and binary forms' "$tmp/package/LICENSE.txt" ||
    { echo "rebuild.sh: LICENSE.txt of maplibre-gl $VERSION is not the BSD-3-Clause text" >&2; exit 1; }

rm -rf "$dest.new"
mkdir -p "$dest.new"
cp "$tmp/package/dist/maplibre-gl.js" "$tmp/package/dist/maplibre-gl.css" "$tmp/package/LICENSE.txt" "$dest.new/"
rm -rf "$dest"
mv "$dest.new" "$dest"

echo "maplibre-gl $VERSION -> $dest"
(cd "$dest" && sha256sum maplibre-gl.js maplibre-gl.css LICENSE.txt)
