// Draws the app's icons (web/static/icons/*.png) from the favicon's shapes: a teal rounded square
// with a white "F" of two strokes. PNG written by hand (zlib and its CRC-32 are Node's): the
// shapes are three rectangles and three lines, too little to need an image library. Run again
// only when the logo changes: scripts/finexia icons
import { crc32, deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const TEAL = [0x0f, 0x76, 0x6e];
/** the favicon's strokes, in its 32-unit box: [x1, y1, x2, y2] */
const STROKES = [
  [9, 22, 9, 10],
  [9, 10, 22, 10],
  [9, 16, 18, 16],
] as const;
const HALF_WIDTH = 1.5;

function distanceToSegment(px: number, py: number, [x1, y1, x2, y2]: readonly number[]): number {
  const dx = x2! - x1!;
  const dy = y2! - y1!;
  const t = Math.max(0, Math.min(1, ((px - x1!) * dx + (py - y1!) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (x1! + t * dx), py - (y1! + t * dy));
}

/** RGBA pixels of the icon at `size`; `maskable`: full-bleed square, the mark inside the 80 % safe zone. */
function draw(size: number, maskable: boolean): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const samples = 4;
  for (let y = 0; y < size; y += 1)
    for (let x = 0; x < size; x += 1) {
      let bg = 0;
      let mark = 0;
      for (let sy = 0; sy < samples; sy += 1)
        for (let sx = 0; sx < samples; sx += 1) {
          // the sample in the favicon's 32-unit box
          const u = ((x + (sx + 0.5) / samples) / size) * 32;
          const v = ((y + (sy + 0.5) / samples) / size) * 32;
          const inside = maskable || insideRoundedSquare(u, v);
          if (!inside) continue;
          bg += 1;
          // maskable: the mark scaled to 80 % about the centre
          const [mu, mv] = maskable ? [16 + (u - 16) / 0.8, 16 + (v - 16) / 0.8] : [u, v];
          if (STROKES.some((s) => distanceToSegment(mu, mv, s) <= HALF_WIDTH)) mark += 1;
        }
      const n = samples * samples;
      const white = mark / Math.max(bg, 1);
      const i = (y * size + x) * 4;
      for (let c = 0; c < 3; c += 1) pixels[i + c] = Math.round(TEAL[c]! * (1 - white) + 255 * white);
      pixels[i + 3] = Math.round((bg / n) * 255);
    }
  return pixels;
}

function insideRoundedSquare(u: number, v: number): boolean {
  const r = 8;
  const cx = Math.min(Math.max(u, r), 32 - r);
  const cy = Math.min(Math.max(v, r), 32 - r);
  return u >= 0 && u <= 32 && v >= 0 && v <= 32 && Math.hypot(u - cx, v - cy) <= r;
}

function png(size: number, rgba: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body) >>> 0, 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter method, no interlace
  // each row: filter type 0, then its pixels
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y += 1) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

for (const [name, size, maskable] of [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['maskable-512.png', 512, true],
  ['apple-touch-icon.png', 180, true],
] as const) {
  writeFileSync(`web/static/icons/${name}`, png(size, draw(size, maskable)));
  console.error(`web/static/icons/${name}`);
}
