// Who is asking: the client's address as a rate limit and the audit should see it. Proxies in
// front (nginx, a load balancer, the dashboard's own server calling the API) say who they
// forwarded for in X-Forwarded-For, each appending the peer it saw; only proxies we trust may
// speak, so the chain is read from the right, past every trusted hop, and the first address
// beyond them is the client. A client cannot forge its way in: whatever it puts in the header
// sits left of what the trusted proxy appended.
import { isIP } from 'node:net';

/** Loopback: this host's own proxies (the dashboard server, an nginx beside the node). */
function isLoopback(address: string): boolean {
  const a = address.replace(/^::ffff:/, '');
  return a === '::1' || a.startsWith('127.');
}

/**
 * `peer`: the socket's remote address; `forwarded`: the X-Forwarded-For header; `trustAll`:
 * every hop is a trusted proxy (TRUST_PROXY, when a load balancer is the only way in).
 */
export function clientAddress(
  peer: string | undefined,
  forwarded: string | string[] | undefined,
  trustAll: boolean,
): string {
  const direct = (peer ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  const trusted = (address: string) => trustAll || isLoopback(address);
  if (!trusted(direct)) return direct;
  const chain = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
    .split(',')
    .map((a) => a.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, ''))
    .filter((a) => isIP(a) !== 0);
  // from the nearest hop outwards: the first address not one of our proxies is the client
  for (let i = chain.length - 1; i >= 0; i -= 1) {
    const hop = chain[i] as string;
    if (!isLoopback(hop) && !(trustAll && i > 0)) return hop;
  }
  return chain[0] ?? direct;
}
