import { describe, expect, it } from 'vitest';
import type { ServiceBroker } from 'moleculer';
import { ChannelConsumerRaceMiddleware } from './channel-streams.ts';

/**
 * A broker carrying an adapter whose subscribe fails with the given errors first. Like the
 * library's NATS adapter, subscribe starts tracking the channel's messages before it asks for
 * the consumer, and refuses a channel it already tracks.
 */
function brokerWith(failures: string[]) {
  const calls: unknown[][] = [];
  const activeMessages = new Map<string, unknown[]>();
  const channelAdapter = {
    activeMessages,
    async subscribe(...args: unknown[]) {
      calls.push(args);
      const { id } = args[0] as { id: string };
      if (activeMessages.has(id)) throw new Error(`Already tracking active messages of channel ${id}`);
      activeMessages.set(id, []);
      const failure = failures.shift();
      if (failure) throw new Error(failure);
    },
  };
  const broker = { channelAdapter, logger: { info: () => undefined } } as unknown as ServiceBroker;
  ChannelConsumerRaceMiddleware.created(broker);
  return { subscribe: channelAdapter.subscribe, calls };
}

const chan = { id: 't.n1.wallets.t.wallets.sync', name: 't.wallets.sync', group: 'wallets' };

describe('ChannelConsumerRaceMiddleware', () => {
  it('binds to a durable consumer another node created a moment earlier', async () => {
    const { subscribe, calls } = brokerWith(['consumer name already in use']);
    await subscribe(chan, 'svc');
    expect(calls).toEqual([
      [chan, 'svc'],
      [chan, 'svc'],
    ]);
  });

  it('passes any other error on at once, and gives up on the race after three tries', async () => {
    const other = brokerWith(['stream not found']);
    await expect(other.subscribe(chan)).rejects.toThrow('stream not found');
    expect(other.calls).toHaveLength(1);
    const race = brokerWith(Array(5).fill('consumer name already in use'));
    await expect(race.subscribe(chan)).rejects.toThrow('consumer name already in use');
    expect(race.calls).toHaveLength(3);
  });
});
