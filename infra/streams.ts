// Streams the services hand out: documents read one at a time, written as they come, so neither
// side holds a user's whole history in one message (a NATS message is at most 1 MiB; a user with
// 100,000 transactions is tens of MiB) nor waits on one query per page (FerretDB decodes all of
// a user's rows for every query: docs/ferretdb.md).
import { Transform, type Readable } from 'node:stream';
import type { ServiceBroker } from 'moleculer';
import type { ActionParams, ByteStreamAction, LineOf, LinesAction } from '@finexia/contracts/internal.ts';

/** Objects in, the text of one JSON array of `map(object)` out: `[`, the items comma-separated, `]`. */
export function jsonArray<T>(map: (item: T) => unknown): Transform {
  let first = true;
  return new Transform({
    writableObjectMode: true,
    transform(item: T, _encoding, done) {
      const text = JSON.stringify(map(item));
      done(null, first ? `[${text}` : `,${text}`);
      first = false;
    },
    flush(done) {
      done(null, first ? '[]' : ']');
    },
  });
}

/** The last line of a `jsonLines` stream: how many items came before it. */
interface EndLine {
  $end: number;
}

/**
 * Objects in, one JSON line of `map(object)` each out, then `{"$end": n}`: the reader (`readJsonLines`)
 * knows a whole stream from one cut short by a dying node or a failed query.
 */
export function jsonLines<T>(map: (item: T) => unknown): Transform {
  let count = 0;
  return new Transform({
    writableObjectMode: true,
    transform(item: T, _encoding, done) {
      count += 1;
      done(null, `${JSON.stringify(map(item))}\n`);
    },
    flush(done) {
      done(null, `${JSON.stringify({ $end: count } satisfies EndLine)}\n`);
    },
  });
}

/**
 * Every item of a `jsonLines` stream. Throws when the stream fails, ends without its end line or
 * with a count that differs, or sends nothing for `idleMs` (its sender's node died): a caller gets
 * the whole list or an error, never a shorter list.
 */
export async function readJsonLines<T>(stream: Readable, idleMs: number): Promise<T[]> {
  const items: T[] = [];
  let end: number | undefined;
  let rest = '';
  let idle: NodeJS.Timeout | undefined;
  const watch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => stream.destroy(new Error(`stream stalled: nothing for ${idleMs} ms`)), idleMs);
  };
  const take = (line: string) => {
    if (!line) return;
    if (end !== undefined) throw new Error('stream has lines after its end line');
    const value = JSON.parse(line) as T | EndLine;
    if (typeof value === 'object' && value !== null && '$end' in value) end = value.$end;
    else items.push(value);
  };
  stream.setEncoding('utf8');
  watch();
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      watch();
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) take(line);
    }
    take(rest);
  } finally {
    clearTimeout(idle);
  }
  if (end === undefined) throw new Error(`stream ended without its end line after ${items.length} items`);
  if (end !== items.length) throw new Error(`stream said ${end} items and carried ${items.length}`);
  return items;
}

/** Calls an action that answers `jsonLines` and reads them all (waiting up to `timeoutMs` for each part). */
export async function callJsonLines<K extends LinesAction>(
  broker: ServiceBroker,
  action: K,
  params: ActionParams<K>,
  timeoutMs: number,
): Promise<LineOf<K>[]> {
  return readJsonLines<LineOf<K>>(
    (await broker.call(action, params, { timeout: timeoutMs })) as Readable,
    timeoutMs,
  );
}

/** Calls an action that answers a stream of bytes (an export's file). */
export async function callByteStream<K extends ByteStreamAction>(
  broker: ServiceBroker,
  action: K,
  params: ActionParams<K>,
  timeoutMs: number,
): Promise<Readable> {
  return (await broker.call(action, params, { timeout: timeoutMs })) as Readable;
}
