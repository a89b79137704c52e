// The operator's commands in the Moleculer REPL (`scripts/finexia repl` joins a running cluster
// as an ops node; `scripts/finexia start --repl` opens it on the embedded node). Each prints
// what an infra/ops.ts function returns; a failure prints its message, never a stack.
import { configOf } from '../config/index.ts';
import { callAction } from './actions.ts';
import type { BrokerOptions, ServiceBroker } from 'moleculer';
import { probeMongo, probeRedis } from './connections.ts';
import {
  actorsPerNode,
  deadLetters,
  rebalanceActors,
  replayDeadLetter,
  resyncWallet,
  simulatorFaults,
} from './ops.ts';

type ReplCommand = NonNullable<NonNullable<BrokerOptions['replOptions']>['customCommands']>[number];

/** REPL output goes to the operator's terminal, not to the structured log. */
/* eslint-disable no-console */
const print = (value: unknown) =>
  console.log(typeof value === 'string' ? value : JSON.stringify(value, null, 2));
const table = (rows: object[]) => (rows.length ? console.table(rows) : console.log('(none)'));
/* eslint-enable no-console */

/** moleculer-repl passes named arguments on the args object (its typings say string[]). */
function arg(args: unknown, name: string): string | undefined {
  const value: unknown = Reflect.get(args as object, name);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** Runs a command's work; what went wrong is printed as one line. */
function command(
  spec: Omit<ReplCommand, 'action'>,
  run: (broker: ServiceBroker, args: unknown) => Promise<void>,
): ReplCommand {
  return {
    ...spec,
    async action(broker: ServiceBroker, args: unknown) {
      try {
        await run(broker, args);
      } catch (err) {
        // errors from other nodes arrive as Moleculer errors: the stable code is their `type`
        const { name, message, type, data } = err as Error & {
          type?: unknown;
          data?: { fields?: unknown[] };
        };
        const fields = Array.isArray(data?.fields) ? ` ${JSON.stringify(data.fields)}` : '';
        print(`error: ${typeof type === 'string' ? type : name}: ${message}${fields}`);
      }
    },
  };
}

export const replCommands: ReplCommand[] = [
  command(
    {
      command: 'readiness',
      description: 'Check that MongoDB, Redis and the transporter are reachable from this node',
    },
    async (broker) => {
      const cfg = configOf(broker);
      const [mongo, redis] = await Promise.all([probeMongo(cfg.mongoUrl), probeRedis(cfg.redisUrl)]);
      print({ node: broker.nodeID, mongo, redis, transporterConnected: broker.transit?.connected ?? null });
    },
  ),
  command(
    {
      command: 'actors',
      description: 'Portfolio and wallet actors per node, and the hash ring each node sees',
    },
    async (broker) => table(await actorsPerNode(broker)),
  ),
  command(
    {
      command: 'rebalance',
      description: 'Every node rebuilds its ring now; actors owned elsewhere retire and start on their owner',
    },
    async (broker) => table(await rebalanceActors(broker)),
  ),
  command(
    {
      command: 'portfolio <userId>',
      description: "A user's live portfolio, from the node that owns the user's actor",
    },
    async (broker, args) => {
      const userId = arg(args, 'userId');
      if (!userId) return print('usage: portfolio <userId>');
      print(await callAction(broker, 'portfolio.inspect', { userId }));
    },
  ),
  command(
    { command: 'resync <walletId>', description: "Queue a sync of any user's bank or exchange wallet" },
    async (broker, args) => {
      const walletId = arg(args, 'walletId');
      if (!walletId) return print('usage: resync <walletId>');
      print(await resyncWallet(broker, walletId));
    },
  ),
  command(
    {
      command: 'sim-faults <provider> [settings]',
      description:
        "Show a provider simulator's faults, or set them: sim-faults plaid '{\"serverErrorRate\":1}' (reset: '{}' with zeros)",
    },
    async (broker, args) => {
      const provider = arg(args, 'provider') ?? '';
      const raw = arg(args, 'settings');
      let settings: Record<string, number> | undefined;
      if (raw !== undefined) {
        const parsed: unknown = JSON.parse(raw);
        if (!parsed || typeof parsed !== 'object' || Object.values(parsed).some((v) => typeof v !== 'number'))
          return print('settings: a JSON object of numbers, e.g. {"serverErrorRate":0.5,"latencyMs":200}');
        settings = parsed as Record<string, number>;
      }
      print(await simulatorFaults(broker, provider, settings));
    },
  ),
  command(
    {
      command: 'dead-letters',
      description: 'Jobs that exhausted their retries (sync, alerts, webhooks), oldest first',
    },
    async (broker) =>
      table((await deadLetters(broker)).map((letter) => ({ ...letter, job: JSON.stringify(letter.job) }))),
  ),
  command(
    {
      command: 'replay <sequence>',
      description: 'Send a dead-lettered job to its channel again (see dead-letters)',
    },
    async (broker, args) => {
      const sequence = Number(arg(args, 'sequence'));
      if (!Number.isInteger(sequence) || sequence < 1)
        return print('usage: replay <sequence> (see dead-letters)');
      const replayed = await replayDeadLetter(broker, sequence);
      print({ replayed: replayed.sequence, channel: replayed.channel, job: replayed.job });
    },
  ),
];
