// Named points where a test node kills itself, to prove what survives a node dying exactly there
// (FAILPOINTS, accepted by the config loader only with NODE_ENV=test). SIGKILL, not an exception:
// nothing after it runs, no handler cleans up, as when the machine loses power.
import type { ServiceBroker } from 'moleculer';
import { configOf } from '../config/index.ts';

export type Failpoint =
  /** an import's rows are stored and nothing is announced yet */
  'import-rows-stored';

export function failpoint(broker: ServiceBroker, name: Failpoint): void {
  if (!configOf(broker).failpoints.includes(name)) return;
  broker.logger.warn({ failpoint: name }, 'failpoint reached: the node kills itself');
  process.kill(process.pid, 'SIGKILL');
}
