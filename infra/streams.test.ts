import { describe, expect, it } from 'vitest';
import { PassThrough, Readable } from 'node:stream';
import { jsonArray, jsonLines, readJsonLines } from './streams.ts';

const text = async (stream: Readable) => {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
};

describe('jsonLines and readJsonLines', () => {
  it('carry every item, whatever the chunks cut (also inside a character)', async () => {
    const items = Array.from({ length: 500 }, (_, i) => ({ i, name: `Café #${i} — ü` }));
    const written = Buffer.from(
      await text(Readable.from(items).pipe(jsonLines((x: (typeof items)[number]) => x))),
    );
    // re-chunked at every 7 bytes: lines and UTF-8 characters split across chunks
    const chunks = Array.from({ length: Math.ceil(written.length / 7) }, (_, k) =>
      written.subarray(k * 7, k * 7 + 7),
    );
    expect(await readJsonLines(Readable.from(chunks), 5_000)).toEqual(items);
    expect(written.toString().trim().split('\n').at(-1)).toBe('{"$end":500}');
  });

  it('an empty stream is an empty list, said by its end line', async () => {
    expect(await readJsonLines(Readable.from([]).pipe(jsonLines((x) => x)), 5_000)).toEqual([]);
  });

  it('a stream cut short (no end line, or fewer items than it says) is an error, never a shorter list', async () => {
    await expect(readJsonLines(Readable.from(['{"a":1}\n{"a":2}\n']), 5_000)).rejects.toThrow(
      /without its end line after 2 items/,
    );
    await expect(readJsonLines(Readable.from(['{"a":1}\n{"$end":2}\n']), 5_000)).rejects.toThrow(
      /said 2 items and carried 1/,
    );
  });

  it('a sender that fails or goes silent ends the read with an error', async () => {
    const failing = new PassThrough();
    const read = readJsonLines(failing, 5_000);
    failing.write('{"a":1}\n');
    failing.destroy(new Error('the query failed'));
    await expect(read).rejects.toThrow('the query failed');

    const silent = new PassThrough();
    silent.write('{"a":1}\n');
    await expect(readJsonLines(silent, 50)).rejects.toThrow(/stalled/);
  });
});

describe('jsonArray', () => {
  it('writes one JSON array of the mapped items', async () => {
    expect(JSON.parse(await text(Readable.from([1, 2, 3]).pipe(jsonArray((n: number) => n * 2))))).toEqual([
      2, 4, 6,
    ]);
    expect(await text(Readable.from([]).pipe(jsonArray((n: number) => n)))).toBe('[]');
  });
});
