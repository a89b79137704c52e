// Requests Finexia sends where a user told it to (webhooks; any user-set URL later): the URL's
// host is resolved, every address it resolves to must be public unicast (domain/outbound.ts),
// and the connection goes to the very address that was checked — the lookup is pinned, so a
// name that answers differently the second time (DNS rebinding) gets nowhere. Redirects are not
// followed. Loopback is allowed only where OUTBOUND_ALLOW_LOOPBACK says (development and tests).
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Config } from '../config/index.ts';
import { addressProblem, hostOf, outboundUrlProblem, type OutboundRules } from '../domain/outbound.ts';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** How a host name becomes addresses (the system resolver; tests put a stub in its place). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });
let resolver: Resolver = systemResolver;

/** Replaces the resolver (tests: a name that answers a public address, then a loopback one); none: the system's. */
export function setOutboundResolver(stub?: Resolver): void {
  resolver = stub ?? systemResolver;
}

/** A request refused before anything was sent, with the reason in words. */
export class OutboundRefused extends Error {}

export function outboundRules(outbound: Config['outbound']): OutboundRules {
  return { allowLoopback: outbound.allowLoopback };
}

/** Why this URL may not be reached now (its text, then every address its host resolves to), or undefined. */
export async function outboundProblem(url: string, rules: OutboundRules): Promise<string | undefined> {
  try {
    await checkedTarget(url, rules);
    return undefined;
  } catch (err) {
    if (err instanceof OutboundRefused) return err.message;
    throw err;
  }
}

/** The address to connect to: the URL's host resolved and every address checked. */
async function checkedTarget(url: string, rules: OutboundRules): Promise<ResolvedAddress> {
  const textual = outboundUrlProblem(url, rules);
  if (textual) throw new OutboundRefused(textual);
  const host = hostOf(new URL(url));
  let addresses: ResolvedAddress[];
  try {
    addresses = /^[\d.]+$|:/.test(host)
      ? [{ address: host, family: host.includes(':') ? 6 : 4 }]
      : await resolver(host);
  } catch (err) {
    throw new OutboundRefused(`its host ${host} could not be resolved (${(err as Error).message})`);
  }
  if (!addresses.length) throw new OutboundRefused(`its host ${host} has no address`);
  // one non-public address among them is enough to refuse: which one a client gets is not ours to pick
  for (const a of addresses) {
    const problem = addressProblem(a.address, rules);
    if (problem) throw new OutboundRefused(`its host ${host} ${problem}`);
  }
  return addresses[0] as ResolvedAddress;
}

export interface OutboundPost {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/**
 * POSTs `body` to `url` after checking where it goes; resolves with the status (the answer's
 * body is discarded). Throws OutboundRefused when the target is not allowed, an Error when the
 * request failed (network, timeout).
 */
export async function postOutbound(url: string, post: OutboundPost, rules: OutboundRules): Promise<number> {
  const target = await checkedTarget(url, rules);
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [target]);
    else callback(null, target.address, target.family);
  };
  const parsed = new URL(url);
  const send = parsed.protocol === 'https:' ? https.request : http.request;
  return new Promise<number>((resolve, reject) => {
    const req = send(
      parsed,
      {
        method: 'POST',
        headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
        agent: false,
        lookup: pinned,
        timeout: post.timeoutMs,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('socket', (socket) =>
      socket.once('connect', () => {
        // the connection is where the check said, or it goes no further
        if (
          socket.remoteAddress &&
          socket.remoteAddress.replace(/^::ffff:/, '') !== target.address.replace(/^::ffff:/, '')
        )
          req.destroy(new OutboundRefused(`connected to ${socket.remoteAddress}, not the address checked`));
      }),
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${post.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(post.body);
  });
}
