// Reads a PMTiles archive with the `pmtiles` npm library (the reader
// MapLibre and Leaflet use; installed in tests/node by `make deps`) and
// compares every tile with the MBTiles file of the same run, read by the
// sqlite3 shell: independent of footprint's writer.
//
// usage: node tests/tools/pmtiles_check.mjs ARCHIVE.pmtiles FILE.mbtiles
// prints: header <json>, metadata <json>, then
//   "tiles: N in mbtiles, N read, N equal, N differ, N missing, N extra"
import { openSync, readSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { gunzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "node", "package.json"));
const { PMTiles } = require("pmtiles");

// A Source over a local file: the library asks for byte ranges, as it does of
// a web server (getBytes(offset, length)). The file is opened once and read
// synchronously: an open, a close and a thread-pool round trip per range cost
// seconds over the 21,845 tiles of a z0-7 archive.
class FileSource {
  constructor(file) { this.file = file; this.fd = openSync(file, "r"); }
  getKey() { return this.file; }
  async getBytes(offset, length) {
    const buf = Buffer.alloc(length);
    const bytesRead = readSync(this.fd, buf, 0, length, offset);
    const out = buf.subarray(0, bytesRead);
    return { data: out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) };
  }
}

const [archive, mbtiles] = process.argv.slice(2);
const p = new PMTiles(new FileSource(archive));
const header = await p.getHeader();
console.log("header " + JSON.stringify(header));
console.log("metadata " + JSON.stringify(await p.getMetadata()));

// The MBTiles tiles (rows from the south), gzip'd vector tiles inflated: the
// library hands back tiles decompressed.
const rows = execFileSync("sqlite3", ["-batch", "-noheader", "-separator", " ", mbtiles,
  "SELECT zoom_level, tile_column, tile_row, hex(tile_data) FROM tiles"], { maxBuffer: 1 << 30 }).toString().trim().split("\n");
const want = new Map();
for (const r of rows) {
  if (!r) continue;
  const [z, x, row, hex] = r.split(" ");
  let data = Buffer.from(hex || "", "hex");
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
  want.set(`${z}/${x}/${(1 << z) - 1 - row}`, data);
}
let read = 0, equal = 0, differ = 0, missing = 0, extra = 0;
const firstDiff = [];
for (let z = header.minZoom; z <= header.maxZoom; z++) {
  for (let x = 0; x < 1 << z; x++) {
    // One column's tiles asked for at once: the library's decompression is
    // asynchronous, and one tile at a time leaves the process mostly idle.
    const column = await Promise.all(Array.from({ length: 1 << z }, (_, y) => p.getZxy(z, x, y)));
    for (let y = 0; y < 1 << z; y++) {
      const key = `${z}/${x}/${y}`;
      const got = column[y];
      const w = want.get(key);
      if (got) read++;
      if (!got && !w) continue;
      if (!got) { if (w.length) { missing++; firstDiff.push("missing " + key); } else equal++; continue; }
      if (!w) { extra++; firstDiff.push("extra " + key); continue; }
      if (Buffer.from(got.data).equals(w)) equal++;
      else { differ++; firstDiff.push("differ " + key); }
    }
  }
}
console.log(`tiles: ${want.size} in mbtiles, ${read} read, ${equal} equal, ${differ} differ, ${missing} missing, ${extra} extra`);
if (firstDiff.length) console.log("first: " + firstDiff.slice(0, 5).join(", "));
