// What an operator does to a running cluster, as functions that return what they found (the
// REPL commands in infra/repl-commands.ts print them; the test drives those commands).
import { callAction } from './actions.ts';
import type { ServiceBroker } from 'moleculer';
import type { JetStreamManager, StoredMsg } from 'nats';
import { configOf } from '../config/index.ts';
import { nodesRunning } from './registry.ts';
import type { ActorStats } from '@finexia/contracts/internal.ts';
import { AppError, invalid } from '../domain/errors.ts';

/** The services whose users' actors are spread over their nodes. */
const ACTOR_SERVICES = ['portfolio', 'wallets'] as const;

export interface ActorRow {
  service: string;
  node: string;
  actors?: number;
  before?: number;
  ring?: readonly string[];
  error?: string;
}

async function eachActorNode(
  broker: ServiceBroker,
  action: 'actorStats' | 'actorRebalance',
): Promise<ActorRow[]> {
  const rows: ActorRow[] = [];
  for (const service of ACTOR_SERVICES) {
    for (const node of nodesRunning(broker, service)) {
      const row = await broker
        .call<ActorStats & { before?: number }, Record<string, never>>(
          `${service}.${action}`,
          {},
          { nodeID: node },
        )
        .then((stats) => ({ service, ...stats }))
        .catch((err: Error) => ({ service, node, error: err.message }));
      rows.push(row);
    }
  }
  return rows;
}

/** Each node's live actors per service and the ring it sees. */
export function actorsPerNode(broker: ServiceBroker): Promise<ActorRow[]> {
  return eachActorNode(broker, 'actorStats');
}

/** Every node rebuilds its ring now and retires the actors another node owns. */
export function rebalanceActors(broker: ServiceBroker): Promise<ActorRow[]> {
  return eachActorNode(broker, 'actorRebalance');
}

/** Queues a sync of any user's wallet, like the user's "Sync now". */
export function resyncWallet(
  broker: ServiceBroker,
  walletId: string,
): Promise<{ walletId: string; userId: string; queued: true }> {
  return callAction(broker, 'wallets.resync', { walletId });
}

const SIMULATED = ['plaid', 'binance', 'coinbase', 'coingecko', 'fx'] as const;
type Simulated = (typeof SIMULATED)[number];

/** Reads (no settings) or changes a provider simulator's fault knobs, at the URL this node is configured with. */
export async function simulatorFaults(
  broker: ServiceBroker,
  provider: string,
  settings?: Record<string, number>,
): Promise<{ settings: Record<string, number>; counts: Record<string, number> }> {
  if (!SIMULATED.includes(provider as Simulated))
    throw invalid([{ field: 'provider', message: `one of ${SIMULATED.join(', ')}` }]);
  const configured = configOf(broker).providers[provider as Simulated];
  if (!configured) throw new AppError('BAD_REQUEST', `${provider} has no URL on this node (set its *_URL)`);
  // CoinGecko's base URL carries its API path; the simulator's knobs are at its root
  const base = new URL(configured.url);
  const res = await fetch(new URL('/__sim/faults', base.origin), {
    method: settings ? 'POST' : 'GET',
    headers: settings ? { 'content-type': 'application/json' } : {},
    body: settings ? JSON.stringify(settings) : undefined,
    signal: AbortSignal.timeout(5_000),
  });
  if (!res.ok) throw new AppError('PROVIDER_REJECTED', `${provider} simulator answered ${res.status}`);
  return (await res.json()) as { settings: Record<string, number>; counts: Record<string, number> };
}

interface ChannelAdapter {
  manager: JetStreamManager;
  addPrefixTopic(topic: string): string;
  publish(subject: string, payload: Uint8Array, opts: { raw: true }): Promise<unknown>;
}

function channelAdapter(broker: ServiceBroker): ChannelAdapter {
  const adapter = (broker as ServiceBroker & { channelAdapter?: Partial<ChannelAdapter> }).channelAdapter;
  if (!adapter?.manager || !adapter.addPrefixTopic || !adapter.publish)
    throw new AppError('SERVICE_UNAVAILABLE', 'JetStream is not connected on this node');
  return adapter as ChannelAdapter;
}

const deadLetterStream = (adapter: ChannelAdapter) =>
  adapter.addPrefixTopic('DEAD_LETTER').split('.').join('_');

export interface DeadLetter {
  sequence: number;
  channel: string;
  storedAt: string;
  /** the job as it was sent (sync jobs: walletId, userId, reason) */
  job: unknown;
}

function describe(message: StoredMsg): DeadLetter {
  let job: unknown;
  try {
    job = message.json();
  } catch {
    job = `${message.data.length} bytes`;
  }
  return {
    sequence: message.seq,
    channel: message.header?.get('x-original-channel') ?? '?',
    storedAt: message.time.toISOString(),
    job,
  };
}

/** The jobs that exhausted their retries, oldest first (at most `limit`). */
export async function deadLetters(broker: ServiceBroker, limit = 50): Promise<DeadLetter[]> {
  const adapter = channelAdapter(broker);
  const stream = deadLetterStream(adapter);
  const info = await adapter.manager.streams.info(stream).catch(() => undefined);
  if (!info || info.state.messages === 0) return [];
  const found: DeadLetter[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && found.length < limit; seq += 1) {
    const message = await adapter.manager.streams.getMessage(stream, { seq }).catch(() => undefined);
    if (message) found.push(describe(message));
  }
  return found;
}

/** Sends a dead-lettered job to its channel again and removes it from the dead letters. */
export async function replayDeadLetter(broker: ServiceBroker, sequence: number): Promise<DeadLetter> {
  const adapter = channelAdapter(broker);
  const stream = deadLetterStream(adapter);
  const message = await adapter.manager.streams.getMessage(stream, { seq: sequence }).catch(() => undefined);
  if (!message) throw new AppError('NOT_FOUND', `no dead letter with sequence ${sequence}`);
  const letter = describe(message);
  // the channel as recorded, with the namespace prefix the library adds when it is missing
  const prefix = adapter.addPrefixTopic('x').slice(0, -1);
  const subject = letter.channel.startsWith(prefix) ? letter.channel : prefix + letter.channel;
  await adapter.publish(subject, message.data, { raw: true });
  await adapter.manager.streams.deleteMessage(stream, sequence);
  return letter;
}
