// Emitting the events of contracts/events.ts, typed by their payloads: a misspelt name or a
// missing field does not compile.
import type { EventMap, EventName } from '@finexia/contracts/events.ts';

/** A broker or a context: both emit (a context also carries the request's id along). */
interface Emitter {
  emit(name: string, payload?: unknown): unknown;
}

interface Broadcaster {
  broadcast(name: string, payload?: unknown): unknown;
}

/** To one node of each service group that listens (balanced). */
export function emitEvent<K extends EventName>(via: Emitter, name: K, payload: EventMap[K]): void {
  void via.emit(name, payload);
}

/** To every node that listens (ticks for every portfolio node, watch lists for every owner). */
export function broadcastEvent<K extends EventName>(via: Broadcaster, name: K, payload: EventMap[K]): void {
  void via.broadcast(name, payload);
}
