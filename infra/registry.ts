// What the service registry knows, asked one way everywhere.
import type { ServiceBroker } from 'moleculer';

/** The nodes on which `service` is currently available (this node included when it runs it). */
export function nodesRunning(broker: ServiceBroker, service: string): string[] {
  const list = broker.registry.getServiceList({ onlyAvailable: true, skipInternal: true }) as {
    name: string;
    nodeID: string;
  }[];
  return list.filter((s) => s.name === service).map((s) => s.nodeID);
}
