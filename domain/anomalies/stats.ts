// Robust statistics over small bounded windows: the median and the median absolute deviation
// do not move when one value in the window is itself an outlier, as a mean and a standard
// deviation would.

export function median(values: readonly number[]): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * How many robust standard deviations `value` lies above the window's median: the median
 * absolute deviation, scaled (×1.4826) to estimate a standard deviation under normality,
 * floored at `floor` (0 when the window is flat).
 */
export function robustZ(value: number, values: readonly number[], floor = 0): number {
  const m = median(values);
  const spread = Math.max(1.4826 * median(values.map((v) => Math.abs(v - m))), floor);
  if (spread === 0) return value > m ? Infinity : 0;
  return (value - m) / spread;
}

/** The p-th percentile (0..1) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Keeps the last `size` items (a bounded window). */
export function pushBounded<T>(window: T[], item: T, size: number): void {
  window.push(item);
  if (window.length > size) window.splice(0, window.length - size);
}
