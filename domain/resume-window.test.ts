import { describe, expect, it } from 'vitest';
import { deltasSince, keepDelta, type Delta, type ResumeWindow } from './resume-window.ts';

const delta = (seq: number, size = 10): Delta => ({ seq, prevSeq: seq - 1, frame: 'x'.repeat(size) });
const windowOf = (...deltas: Delta[]): ResumeWindow<Delta> => {
  const w: ResumeWindow<Delta> = { deltas: [], bytes: 0 };
  for (const d of deltas) keepDelta(w, d, { deltas: 4, bytes: 100 });
  return w;
};

describe('the resume window', () => {
  it('keeps the latest deltas within the count', () => {
    const w = windowOf(...[1, 2, 3, 4, 5, 6].map((s) => delta(s)));
    expect(w.deltas.map((d) => d.seq)).toEqual([3, 4, 5, 6]);
    expect(w.bytes).toBe(40);
  });

  it('keeps the latest deltas within the byte budget, and always the latest one', () => {
    const w = windowOf(delta(1, 30), delta(2, 30), delta(3, 30), delta(4, 30));
    expect(w.deltas.map((d) => d.seq)).toEqual([2, 3, 4]);
    expect(w.bytes).toBe(90);
    keepDelta(w, delta(5, 500), { deltas: 4, bytes: 100 });
    expect(w.deltas.map((d) => d.seq)).toEqual([5]);
    expect(w.bytes).toBe(500);
  });

  it('resumes from any sequence number it still covers, and only from those', () => {
    const w = windowOf(...[1, 2, 3, 4, 5, 6].map((s) => delta(s)));
    expect(deltasSince(w, 4)?.map((d) => d.seq)).toEqual([5, 6]);
    expect(deltasSince(w, 2)?.map((d) => d.seq)).toEqual([3, 4, 5, 6]);
    expect(deltasSince(w, 6)).toEqual([]);
    expect(deltasSince(w, 1)).toBeUndefined(); // delta 2 was dropped
    expect(deltasSince(w, 7)).toBeUndefined(); // ahead of what was sent
  });
});
