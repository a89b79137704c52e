// A node whose process dies is dropped by the others through NATS (its subscriptions vanish
// with its connection), not after Moleculer's heartbeat timeout; a node that is only frozen
// keeps its place. This node's heartbeat timeout is set beyond the test's bounds, so only the
// watch (infra/node-watch.ts) can drop anyone here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { startNode, testNamespace, type TestNode } from '../helpers/node.ts';
import { startWorker } from '../helpers/worker.ts';
import { waitFor } from '../helpers/wait.ts';
import { nodesRunning } from '../../infra/registry.ts';
import { nodeWatchState } from '../../infra/node-watch.ts';

const namespace = testNamespace('nw');
const [FROZEN, KILLED] = ['frozen', 'killed'].map((n) => `${namespace}-${n}`) as [string, string];
let node: TestNode;
const workers = new Map<string, ChildProcess>();

const watch = () => {
  const state = nodeWatchState(node.broker);
  if (!state) throw new Error('this node runs no node watch');
  return state;
};

beforeAll(async () => {
  for (const name of [FROZEN, KILLED]) workers.set(name, startWorker({ name, namespace, services: 'users' }));
  node = await startNode(
    { NAMESPACE: namespace, TRANSPORTER: 'nats', SERVICES: 'market' },
    { heartbeatInterval: 1, heartbeatTimeout: 3_600 },
  );
  await waitFor(
    async () => ([FROZEN, KILLED].every((n) => watch().answered.has(n)) ? true : undefined),
    60_000,
    'both workers answered the watch',
  );
}, 90_000);

afterAll(async () => {
  for (const child of workers.values()) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  await node?.stop();
});

describe('the node watch', () => {
  it('keeps a frozen node (its requests time out, nobody says it is gone)', async () => {
    const frozen = workers.get(FROZEN) as ChildProcess;
    const before = watch().timeouts.get(FROZEN) ?? 0;
    frozen.kill('SIGSTOP');
    await waitFor(
      async () => ((watch().timeouts.get(FROZEN) ?? 0) >= before + 3 ? true : undefined),
      60_000,
      'three unanswered requests to the frozen node',
    );
    expect(nodesRunning(node.broker, 'users')).toContain(FROZEN);
    frozen.kill('SIGCONT');
  }, 90_000);

  it('drops a killed node well before any heartbeat timeout', async () => {
    expect(nodesRunning(node.broker, 'users')).toContain(KILLED);
    const disconnected = new Promise<{ id: string; unexpected: boolean }>((resolve) =>
      node.broker.localBus.on('$node.disconnected', (p: { node: { id: string }; unexpected: boolean }) => {
        if (p.node.id === KILLED) resolve({ id: p.node.id, unexpected: p.unexpected });
      }),
    );
    (workers.get(KILLED) as ChildProcess).kill('SIGKILL');
    await waitFor(
      async () => (nodesRunning(node.broker, 'users').includes(KILLED) ? undefined : true),
      60_000,
      'the killed node dropped',
    );
    expect(await disconnected).toEqual({ id: KILLED, unexpected: true });
    expect(nodesRunning(node.broker, 'users')).toEqual([FROZEN]);
  }, 90_000);
});
