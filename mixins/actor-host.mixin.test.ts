// The actor host's mailbox on an in-memory broker: messages run one at a time, and what
// `immediate` can answer (a read of state in memory) does not wait behind them.
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceBroker, type Service } from 'moleculer';
import { ActorHostMixin, type ActorHostMethods } from './actor-host.mixin.ts';
import { waitFor } from '../test/helpers/wait.ts';

type Message = { type: 'slow' } | { type: 'read' };

let broker: ServiceBroker | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

async function host(withImmediate: boolean, stopDrainMs?: number) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const order: string[] = [];
  broker = new ServiceBroker({ logger: false, nodeID: 'unit' });
  const service = broker.createService({
    name: 'actors',
    mixins: [
      ActorHostMixin<Message>({
        service: 'actors',
        ...(stopDrainMs === undefined ? {} : { stopDrainMs }),
        async handle(_userId, message) {
          if (message.type === 'slow') await gate;
          order.push(message.type);
          return message.type;
        },
        ...(withImmediate
          ? {
              immediate: (_userId: string, message: Message) =>
                message.type === 'read' ? 'read now' : undefined,
            }
          : {}),
      }),
    ],
  }) as Service & ActorHostMethods<Message>;
  await broker.start();
  return { service, release, order };
}

describe('ActorHostMixin', () => {
  it('answers a read at once while a slow message of the same user runs', async () => {
    const { service, release, order } = await host(true);
    await service.dispatch('u1', { type: 'read' }); // the actor exists from here on
    const slow = service.dispatch('u1', { type: 'slow' });
    expect(await service.dispatch('u1', { type: 'read' })).toBe('read now');
    expect(order).toEqual(['read']);
    release();
    expect(await slow).toBe('slow');
  });

  it('without immediate, the read queues behind the slow message', async () => {
    const { service, release, order } = await host(false);
    const slow = service.dispatch('u1', { type: 'slow' });
    const read = service.dispatch('u1', { type: 'read' });
    const first = await Promise.race([
      read.then(() => 'read'),
      new Promise((r) => setTimeout(() => r('waited'), 100)),
    ]);
    expect(first).toBe('waited');
    release();
    await Promise.all([slow, read]);
    expect(order).toEqual(['slow', 'read']);
  });

  it('lets a message under way finish before the node stops', async () => {
    const { service, release, order } = await host(false);
    const slow = service.dispatch('u1', { type: 'slow' });
    const stopping = (broker as ServiceBroker).stop().then(() => 'stopped');
    broker = undefined;
    const early = await Promise.race([stopping, new Promise((r) => setTimeout(() => r('waiting'), 200))]);
    expect(early).toBe('waiting');
    release();
    expect(await stopping).toBe('stopped');
    expect(order).toEqual(['slow']);
    expect(await slow).toBe('slow');
  });

  it('past the drain time, work under way is told it may not write and queued work is refused', async () => {
    const { service, release, order } = await host(false, 100);
    const slow = service.dispatch('u1', { type: 'slow' });
    const queued = service.dispatch('u1', { type: 'read' });
    expect(service.hosting()).toBe(true);
    await (broker as ServiceBroker).stop();
    broker = undefined;
    expect(service.hosting()).toBe(false);
    release();
    expect(await slow).toBe('slow');
    await expect(queued).rejects.toMatchObject({ name: 'ServiceNotAvailableError' });
    await expect(service.dispatch('u2', { type: 'read' })).rejects.toMatchObject({
      name: 'ServiceNotAvailableError',
    });
    expect(order).toEqual(['slow']);
  });

  it('refuses messages that arrive while the stop waits for the ones it has', async () => {
    // a drain far longer than the wait below: without the refusal, only the drain's end would refuse
    const { service, release, order } = await host(false, 60_000);
    const slow = service.dispatch('u1', { type: 'slow' });
    const stopping = (broker as ServiceBroker).stop();
    broker = undefined;
    // the stop reaches the service after Moleculer's own steps: until then a new actor's message runs
    const refused = await waitFor(
      () =>
        service.dispatch('u2', { type: 'read' }).then(
          () => undefined,
          (err: unknown) => err,
        ),
      5_000,
      'a message refused by the stopping host',
    );
    expect(refused).toMatchObject({ name: 'ServiceNotAvailableError' });
    const before = order.length;
    // one to the busy actor (its mailbox completed) would never run, and never answer
    await expect(service.dispatch('u1', { type: 'read' })).rejects.toMatchObject({
      name: 'ServiceNotAvailableError',
    });
    release();
    await stopping;
    expect(await slow).toBe('slow');
    expect(order.slice(before)).toEqual(['slow']);
  });
});
