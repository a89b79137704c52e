// The cluster's wire format: Moleculer's JSONExt (a Date, BigInt, Map, Set or Buffer survives a
// hop as itself), with two shortcuts for the real-time path, where JSONExt's per-value hooks
// were most of the cost (bench:realtime profiles: a gateway spent ~1.7 s of a 35 s run in
// JSON.parse with JSONExt's reviver for `portfolio.pushes`, whose frames are long JSON strings).
import { Serializers } from 'moleculer';
import type { EventName } from '@finexia/contracts/events.ts';

/**
 * Events whose payloads hold only strings, numbers, booleans, arrays and plain objects (by
 * their contracts in contracts/events.ts): they are written with JSON.stringify as they are.
 */
const PLAIN_EVENTS: ReadonlySet<string> = new Set<EventName>(['market.ticks', 'portfolio.pushes']);

/**
 * Every value JSONExt tags or escapes is written as a string starting with "[[", so in JSON text
 * it begins `"[[`. (Outside a string a quote is followed by , : } ] or a space; inside one, an
 * escaped quote followed by [[ matches too — then the slow path runs, which is always right.)
 */
const TAGGED = '"[[';

const isEmpty = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0);

export class WireSerializer extends Serializers.JSONExt {
  /** `type`: the packet's type, which Moleculer's transporters pass along (its typings omit it) */
  override serialize(obj: Record<string, unknown>, type?: string): Buffer {
    if (
      type === 'EVENT' &&
      typeof obj.event === 'string' &&
      PLAIN_EVENTS.has(obj.event) &&
      isEmpty(obj.meta) &&
      isEmpty(obj.headers)
    ) {
      const text = JSON.stringify(obj);
      // a string of the payload that starts with "[[" must be escaped as JSONExt does
      if (!text.includes(TAGGED)) return Buffer.from(text);
    }
    return super.serialize(obj);
  }

  /** Without a tagged string anywhere, JSONExt's reviver would return every value as it is. */
  override deserialize(buf: Buffer | string): unknown {
    const text = typeof buf === 'string' ? buf : buf.toString();
    if (!text.includes(TAGGED)) return JSON.parse(text) as unknown;
    return super.deserialize(text);
  }
}
