// Durable channels, configured one way for every service that consumes one: dead-lettered
// after their retries, redelivered `SYNC_ACK_WAIT` after a consumer died, kept a week in the
// stream. (The dead-letter stream is shared: its configuration must be the same everywhere.)
import type { ServiceSchema } from 'moleculer';
import { config } from '../config/index.ts';
import { CHANNEL_STREAM_CONFIG } from '../infra/channel-streams.ts';

export const DurableChannelsMixin: Partial<ServiceSchema> = {
  // read when the broker creates the service (tests shorten ack_wait), not when the file is imported
  merged(schema: ServiceSchema) {
    const { sync } = config();
    for (const channel of Object.values(schema.channels ?? {})) {
      channel.deadLettering ??= { enabled: true, queueName: 'DEAD_LETTER' };
      channel.maxRetries ??= sync.maxRetries;
      channel.nats = {
        consumerOptions: { config: { ack_wait: sync.ackWaitMs * 1e6 } },
        streamConfig: CHANNEL_STREAM_CONFIG,
      };
    }
  },
};
