// Consistent hashing: which node owns a key (a user id). Each node gets many points on
// the ring, so keys spread evenly and adding or removing a node moves only ~1/n of them.
import { createHash } from 'node:crypto';

function point(text: string): number {
  return createHash('md5').update(text).digest().readUInt32BE(0);
}

export class HashRing {
  private readonly points: { at: number; node: string }[];
  readonly nodes: readonly string[];

  constructor(
    nodes: Iterable<string>,
    readonly replicas = 128,
  ) {
    this.nodes = [...new Set(nodes)].sort();
    this.points = this.nodes
      .flatMap((node) => Array.from({ length: replicas }, (_, i) => ({ at: point(`${node}#${i}`), node })))
      .sort((a, b) => a.at - b.at || a.node.localeCompare(b.node));
  }

  /** The node that owns `key`, or undefined when the ring is empty. */
  owner(key: string): string | undefined {
    if (!this.points.length) return undefined;
    const h = point(key);
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.points[mid] as { at: number }).at < h) lo = mid + 1;
      else hi = mid;
    }
    return (this.points[lo % this.points.length] as { node: string }).node;
  }

  equals(other: HashRing): boolean {
    return this.nodes.length === other.nodes.length && this.nodes.every((n, i) => n === other.nodes[i]);
  }
}
