// Two real brokers over NATS, each hosting an actor service: a message under way to its owner when
// that owner is dropped (what the node watch does when a node's process dies) is not lost or
// failed — it goes to the user's owner by the ring rebuilt without the dead node. Before, the
// caller got Moleculer's RequestRejectedError, and a socket re-snapshotted at that moment waited
// for the gateway's next pass (bench:realtime: the slowest users ~5 s later than the rest).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Service } from 'moleculer';
import { startNode, testNamespace, type TestNode } from '../helpers/node.ts';
import { waitFor } from '../helpers/wait.ts';
import { nodesRunning } from '../../infra/registry.ts';
import { ActorHostMixin, type ActorHostMethods } from '../../mixins/actor-host.mixin.ts';

type Message = { type: 'where' };
type Actors = Service & ActorHostMethods<Message> & { ownerOf(userId: string): string };

const namespace = testNamespace('ar');
let first: TestNode;
let second: TestNode;
let actorsOnFirst: Actors;
/** what reached the second node's actors; they answer only once released (a node about to die) */
const reachedSecond: string[] = [];
let releaseSecond!: () => void;
const secondHeld = new Promise<void>((resolve) => (releaseSecond = resolve));

/** The same actor service on a node; it answers with the node that handled the message. */
function hostActors(node: TestNode, hold: boolean): Actors {
  return node.broker.createService({
    name: 'actors',
    mixins: [
      ActorHostMixin<Message>({
        service: 'actors',
        async handle(userId) {
          if (hold) {
            reachedSecond.push(userId);
            await secondHeld;
          }
          return node.broker.nodeID;
        },
      }),
    ],
  }) as Actors;
}

beforeAll(async () => {
  const cluster = { NAMESPACE: namespace, TRANSPORTER: 'nats', SERVICES: 'users' };
  first = await startNode(cluster);
  second = await startNode(cluster);
  actorsOnFirst = hostActors(first, false);
  hostActors(second, true);
  await waitFor(
    async () => (nodesRunning(first.broker, 'actors').length === 2 ? true : undefined),
    30_000,
    'the first node sees both actor hosts',
  );
}, 60_000);

afterAll(async () => {
  releaseSecond();
  await second?.stop();
  await first?.stop();
});

describe('an actor message whose owner is dropped while it is under way', () => {
  it('is handled by the new owner instead of failing', async () => {
    // a user the second node owns, as the first node's ring sees it
    let userId = randomUUID();
    await waitFor(
      async () => {
        for (let i = 0; i < 200 && actorsOnFirst.ownerOf(userId) !== second.broker.nodeID; i += 1)
          userId = randomUUID();
        return actorsOnFirst.ownerOf(userId) === second.broker.nodeID ? true : undefined;
      },
      30_000,
      'the first node routes some user to the second',
    );
    const answer = actorsOnFirst.dispatch(userId, { type: 'where' });
    await waitFor(
      async () => (reachedSecond.includes(userId) ? true : undefined),
      30_000,
      'the message reached the second node',
    );
    // what the node watch does when the second node's process dies
    first.broker.registry.nodes.disconnected(second.broker.nodeID, true);
    expect(await answer).toBe(first.broker.nodeID);
  }, 90_000);
});
