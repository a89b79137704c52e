// Every durable channel's JetStream stream exists before anything is sent to it. The channels
// library creates a stream when a consumer subscribes; a job sent before that (its consumer's
// node not started yet, or not run in this cluster at all) would be refused by JetStream. So
// every node, once started, makes sure each channel's stream is there (idempotent).
import type { ServiceBroker } from 'moleculer';
import { CHANNELS } from '@finexia/contracts/channels.ts';

const WEEK_NS = 7 * 24 * 3_600 * 1e9;

/** What every channel's stream keeps: a week of messages. (Consumers create it the same way.) */
export const CHANNEL_STREAM_CONFIG = { max_age: WEEK_NS };

interface StreamAdapter {
  addPrefixTopic(topic: string): string;
  createStream(name: string, subjects: string[], config: typeof CHANNEL_STREAM_CONFIG): Promise<unknown>;
}

export async function ensureChannelStreams(broker: ServiceBroker): Promise<void> {
  const adapter = (broker as ServiceBroker & { channelAdapter?: Partial<StreamAdapter> }).channelAdapter;
  if (!adapter?.createStream || !adapter.addPrefixTopic) return;
  for (const channel of Object.values(CHANNELS)) {
    const subject = adapter.addPrefixTopic(channel);
    // the library's own stream naming: a subject's dots become underscores
    await adapter.createStream(subject.split('.').join('_'), [subject], CHANNEL_STREAM_CONFIG);
  }
}

interface SubscribingAdapter {
  subscribe(chan: { id: string; name: string; group: string }, ...rest: unknown[]): Promise<void>;
  /** the library's bookkeeping of a channel's messages in hand, started by each subscribe */
  activeMessages?: Map<string, unknown[]>;
}

/** JetStream's answer when another node created the same durable consumer a moment earlier. */
const CONSUMER_RACE = 'consumer name already in use';

/**
 * Nodes that start together race to create each channel's durable consumer: each asks for it
 * with its own deliver subject, and the loser is refused ("consumer name already in use") and
 * failed to start (seen in the cluster-kill test's three workers). The consumer exists by
 * then, so subscribing again binds to it. Goes after the channels middleware.
 */
export const ChannelConsumerRaceMiddleware = {
  name: 'ChannelConsumerRace',
  created(broker: ServiceBroker) {
    const adapter = (broker as ServiceBroker & { channelAdapter?: Partial<SubscribingAdapter> })
      .channelAdapter;
    const subscribe = adapter?.subscribe?.bind(adapter);
    if (!adapter || !subscribe) return;
    adapter.subscribe = async (chan, ...rest) => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await subscribe(chan, ...rest);
        } catch (err) {
          if (attempt >= 3 || (err as Error).message !== CONSUMER_RACE) throw err;
          // the failed attempt began tracking the channel's messages: a retry must start clean
          // (else it fails with "Already tracking active messages" and the node does not start)
          adapter.activeMessages?.delete(chan.id);
          broker.logger.info(
            { channel: chan.name, group: chan.group, attempt },
            'durable consumer created meanwhile; binding to it',
          );
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        }
      }
    };
  },
};
