// Streams the services hand out (exports): documents read one at a time, written as they come.
import { Transform } from 'node:stream';

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
