// Reading parsed XML and SGML trees (as ofx-js and fast-xml-parser give them) without `any`:
// a node is text, an object of children, or a list when a tag repeats.
export type Node = string | number | boolean | { [tag: string]: Node } | Node[] | undefined;

/** The node at a path of tags (the first of each when one repeats). */
export function at(node: Node, ...path: string[]): Node {
  let current = node;
  for (const tag of path) {
    if (Array.isArray(current)) current = current[0];
    if (current === undefined || typeof current !== 'object') return undefined;
    current = (current as { [tag: string]: Node })[tag];
  }
  return current;
}

/** A tag that may appear once or many times, as a list. */
export function many(node: Node): Node[] {
  if (node === undefined || node === '') return [];
  return Array.isArray(node) ? node : [node];
}

/** A leaf's text, trimmed; an element with attributes keeps its text under '#text'. */
export function text(node: Node): string | undefined {
  if (Array.isArray(node)) return text(node[0]);
  if (node !== null && typeof node === 'object') return text(node['#text']);
  if (node === undefined) return undefined;
  const t = String(node).trim();
  return t === '' ? undefined : t;
}
