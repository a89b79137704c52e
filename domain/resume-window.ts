// The latest portfolio deltas a ws gateway keeps per user, so that a client that reconnects
// resumes from its last sequence number instead of a fresh snapshot. Bounded by count and by
// bytes: 64 deltas of ~1.2 KB for each of 1,000 watched users were ~80 MB of frames that lived
// just long enough to reach the old generation (bench:realtime's gateway heap); a byte budget
// keeps ~half a minute of a busy portfolio and longer for a quiet one.

export interface Delta {
  seq: number;
  prevSeq: number;
  /** the frame as sent (its length is what it costs to keep) */
  frame: string;
}

export interface ResumeWindow<T extends Delta> {
  deltas: T[];
  /** the frames' total length */
  bytes: number;
}

export const RESUME_LIMITS = { deltas: 64, bytes: 32 * 1024 };

/** Keeps `delta` as the latest, dropping the oldest past either limit (the latest always stays). */
export function keepDelta<T extends Delta>(
  window: ResumeWindow<T>,
  delta: T,
  limits: { deltas: number; bytes: number } = RESUME_LIMITS,
): void {
  window.deltas.push(delta);
  window.bytes += delta.frame.length;
  while (window.deltas.length > 1 && (window.deltas.length > limits.deltas || window.bytes > limits.bytes))
    window.bytes -= (window.deltas.shift() as T).frame.length;
}

/**
 * The deltas after `seq`, in order, when the window still holds every one of them; undefined
 * when the client must start over from a snapshot (too far behind, or ahead of what was sent).
 */
export function deltasSince<T extends Delta>(window: ResumeWindow<T>, seq: number): T[] | undefined {
  const latest = window.deltas.at(-1)?.seq ?? seq;
  if (seq > latest) return undefined;
  const missed = window.deltas.filter((d) => d.seq > seq);
  if (missed.length && missed[0]?.prevSeq !== seq) return undefined;
  return missed;
}
