// Where a user may make Finexia send a request (a webhook today, any URL a user sets tomorrow):
// the rules without I/O. Only a public unicast address may be reached; the decision is taken on
// the address actually connected to (infra/outbound.ts resolves, checks each address with
// `addressProblem`, and connects to the one it checked), never on the URL's text alone.
// Address classes come from ipaddr.js (IANA's special-purpose registries, kept up to date there).
import ipaddr from 'ipaddr.js';

export interface OutboundRules {
  /** loopback receivers and plain http (development and the test suite only) */
  allowLoopback: boolean;
}

/** Names that never mean a public host (RFC 6761 / 6762 / 8375, and cloud metadata endpoints). */
const INTERNAL_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/i;

/**
 * Why an address (IPv4 or IPv6 text) may not be connected to, or undefined. Everything that is
 * not public unicast is refused: loopback, private, link-local (cloud metadata), unique-local,
 * carrier-grade NAT, IPv4-mapped and -translated IPv6, 6to4 and Teredo tunnels, multicast,
 * broadcast, reserved and unspecified.
 */
export function addressProblem(ip: string, rules: OutboundRules): string | undefined {
  if (!ipaddr.isValid(ip)) return `${ip} is not an IP address`;
  const address = ipaddr.parse(ip);
  const range = address.range();
  if (range === 'unicast') return undefined;
  if (range === 'loopback' && rules.allowLoopback) return undefined;
  return `resolves to ${ip}, a ${describe(range)} address, not a public one`;
}

function describe(range: string): string {
  switch (range) {
    case 'loopback':
      return 'loopback';
    case 'private':
    case 'uniqueLocal':
      return 'private';
    case 'linkLocal':
      return 'link-local';
    case 'carrierGradeNat':
      return 'carrier-grade NAT';
    case 'ipv4Mapped':
    case 'rfc6145':
    case 'rfc6052':
      return 'IPv4-mapped or -translated';
    case '6to4':
    case 'teredo':
      return 'tunnelled';
    case 'unspecified':
      return 'unspecified';
    default:
      return range;
  }
}

/**
 * Why a URL cannot be an outbound target, from its text: scheme, credentials, an IP literal's
 * class, an internal name. A name that passes still has to resolve to public addresses only.
 */
export function outboundUrlProblem(text: string, rules: OutboundRules): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.username || url.password) return 'must not carry credentials';
  const host = hostOf(url);
  if (ipaddr.isValid(host)) {
    const problem = addressProblem(host, rules);
    if (problem) return `must not point at a non-public address (it ${problem})`;
  } else if (INTERNAL_NAME.test(host) || !host.includes('.')) {
    if (!(rules.allowLoopback && /^localhost$/i.test(host)))
      return 'must name a public host (not an internal or single-label name)';
  }
  if (url.protocol !== 'https:' && !(rules.allowLoopback && isLoopbackHost(host))) return 'must use https';
  return undefined;
}

/** The URL's host as DNS or an IP literal would have it (IPv6 without brackets). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

function isLoopbackHost(host: string): boolean {
  if (/^localhost$/i.test(host)) return true;
  return ipaddr.isValid(host) && ipaddr.parse(host).range() === 'loopback';
}
