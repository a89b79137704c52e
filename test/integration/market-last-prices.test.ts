// A cluster's market node keeps last prices in Redis, so the next one prices at once: written
// every couple of seconds (not per burst of ticks), and once more when the node stops.
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import { startNode, testNamespace, type TestNode } from '../helpers/node.ts';
import { waitFor } from '../helpers/wait.ts';
import type { Tick } from '@finexia/contracts/api.ts';

const namespace = testNamespace('lp');
const key = `finexia:${namespace}:market:last-prices`;
const redis = new Redis(inject('redisUrl'));
const cluster = { NAMESPACE: namespace, TRANSPORTER: 'nats', SERVICES: 'market' };
let node: TestNode | undefined;
/**
 * A node of the same cluster that stays up while the market node restarts, as in a real
 * cluster: the test helper removes a file's Redis keys once its last node stops.
 */
let keeper: TestNode | undefined;

afterAll(async () => {
  await node?.stop();
  await keeper?.stop();
  await redis.del(key);
  redis.disconnect();
});

const storedPrice = async (symbol: string) => {
  const json = await redis.hget(key, symbol);
  return json ? (JSON.parse(json) as Tick).price : undefined;
};

describe('last prices in a cluster', () => {
  it('are written to Redis while the stream runs, on stop, and read back by the next market node', async () => {
    keeper = await startNode({ ...cluster, SERVICES: 'users' });
    node = await startNode(cluster);
    const ingest = (symbol: string, price: string) =>
      node?.broker.call('market.ingest', { ticks: [{ symbol, price, ts: Date.now(), source: 'test' }] });
    await ingest('LPA', '1.25');
    await waitFor(
      async () => ((await storedPrice('LPA')) === '1.25' ? true : undefined),
      30_000,
      'LPA in Redis',
    );

    // a newer price, then a stop before the next periodic write: the stop writes it
    await ingest('LPA', '1.5');
    await waitFor(
      async () =>
        (await node?.broker.call<{ published: number }>('market.stats'))?.published === 2 ? true : undefined,
      30_000,
      'the second tick published',
    );
    await node.stop();
    node = undefined;
    expect(await storedPrice('LPA')).toBe('1.5');

    node = await startNode(cluster);
    const { prices } = await node.broker.call<{ prices: Tick[] }, { symbols: string[] }>('market.prices', {
      symbols: ['LPA'],
    });
    expect(prices.map((t) => [t.symbol, t.price])).toEqual([['LPA', '1.5']]);
  }, 120_000);
});
