// Durable channels, configured one way for every service that consumes one: dead-lettered
// after their retries, redelivered `SYNC_ACK_WAIT` after a consumer died, kept a week in the
// stream. (The dead-letter stream is shared: its configuration must be the same everywhere.)
// Every failed attempt is logged with its reason, and the last one as an error: the channels
// library swallows a handler's error, so without this a job reached the dead letters unexplained.
// A failed job comes back after a growing delay (1 s, 2 s, 4 s…): the library asks for it again
// at once, so a provider's outage of a few seconds used every retry and dead-lettered the job.
import type { Service, ServiceSchema } from 'moleculer';
import { configOf } from '../config/index.ts';
import { CHANNEL_STREAM_CONFIG } from '../infra/channel-streams.ts';
import type { ChannelDefinition, ChannelMessage } from '../infra/context.ts';

export const DurableChannelsMixin: Partial<ServiceSchema> = {
  // read when the broker creates the service, from that broker's config (tests shorten ack_wait)
  merged(this: Service, schema: ServiceSchema) {
    const { sync } = configOf(this.broker);
    for (const [name, channel] of Object.entries(schema.channels ?? {})) {
      channel.deadLettering ??= { enabled: true, queueName: 'DEAD_LETTER' };
      channel.maxRetries ??= sync.maxRetries;
      channel.nats = {
        consumerOptions: { config: { ack_wait: sync.ackWaitMs * 1e6 } },
        streamConfig: CHANNEL_STREAM_CONFIG,
      };
      channel.handler = reportingFailures(name, channel);
    }
  },
};

/** The channel's handler, with each failure logged: which job, which delivery, why, and whether it was the last. */
function reportingFailures(name: string, channel: ChannelDefinition): ChannelDefinition['handler'] {
  const handle = channel.handler;
  return async function (this: Service, payload: unknown, raw: ChannelMessage) {
    try {
      await (Reflect.apply(handle, this, [payload, raw]) as Promise<void>);
    } catch (err) {
      // JetStream counts deliveries from 1; the library dead-letters once it reaches maxRetries
      const delivery = raw.info?.redeliveryCount ?? 1;
      const last = channel.maxRetries !== undefined && delivery >= channel.maxRetries;
      const entry = {
        channel: name,
        delivery,
        maxRetries: channel.maxRetries,
        job: jobSummary(payload),
        err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : err,
      };
      if (last) this.logger.error(entry, 'job failed for the last time: moved to the dead letters');
      else {
        this.logger.warn(entry, 'job failed; it will be retried');
        // the library's own nak that follows is then ignored
        raw.nak?.(retryDelayMs(delivery));
      }
      throw err;
    }
  };
}

/** How long a job waits before its next delivery after its `delivery`-th failed: doubling from 1 s, at most a minute. */
export function retryDelayMs(delivery: number): number {
  return Math.min(60_000, 1_000 * 2 ** Math.max(0, delivery - 1));
}

/** What identifies a job in a log line (ids only: a payload may carry personal data). */
function jobSummary(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null) return { type: typeof payload };
  const summary: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload))
    if (/(^id$|Id$)/.test(key) && (typeof value === 'string' || typeof value === 'number'))
      summary[key] = value;
  return summary;
}
