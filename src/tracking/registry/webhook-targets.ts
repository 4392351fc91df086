/**
 * Where webhooks may send: not to private, loopback, link-local or otherwise non-public addresses, so a
 * registry user cannot make the server call its own admin ports or a cloud metadata service
 * (169.254.169.254). Ranges from the IANA special-purpose registries (RFC 6890: IPv4
 * https://www.iana.org/assignments/iana-ipv4-special-registry, IPv6
 * https://www.iana.org/assignments/iana-ipv6-special-registry). Numeric host forms (2130706433,
 * 0x7f.1) are normalised by WHATWG URL parsing before the check; IPv4-mapped, IPv4-compatible and
 * NAT64 IPv6 addresses are checked as the IPv4 address they carry. Names are resolved and every address
 * checked, when a webhook is added and again before each delivery, since DNS can change.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { MlcycleError } from '../../error.js';

/** IPv4 ranges that are not public: [network address, prefix length]. */
const PRIVATE_V4: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];

function v4Number(text: string): number {
  return text.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

function isPrivateV4(address: string): boolean {
  const value = v4Number(address);
  return PRIVATE_V4.some(([base, bits]) => Math.floor(value / 2 ** (32 - bits)) === Math.floor(v4Number(base) / 2 ** (32 - bits)));
}

/** The 8 16-bit groups of an IPv6 address (a trailing dotted IPv4 part counts as two). */
function v6Groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0] as string;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted !== null) {
    const value = v4Number(dotted[1] as string);
    text = `${text.slice(0, dotted.index)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  if (tail === undefined) return parse(head);
  const front = parse(head);
  const back = parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

function isPrivateV6(address: string): boolean {
  const groups = v6Groups(address);
  const [first = 0] = groups;
  const carried = (high: number, low: number) => `${high >>> 8}.${high & 0xff}.${low >>> 8}.${low & 0xff}`;
  const zeroPrefix = groups.slice(0, 5).every((group) => group === 0);
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, deprecated) and 64:ff9b::a.b.c.d (NAT64) carry IPv4.
  if (zeroPrefix && (groups[5] === 0xffff || groups[5] === 0)) {
    if (groups[5] === 0 && (groups[6] ?? 0) === 0 && (groups[7] ?? 0) <= 1) return true; // :: and ::1
    return isPrivateV4(carried(groups[6] ?? 0, groups[7] ?? 0));
  }
  if (first === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0)) return isPrivateV4(carried(groups[6] ?? 0, groups[7] ?? 0));
  if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80 || (first & 0xffc0) === 0xfec0) return true; // fe80::/10 link-local, fec0::/10 site-local
  if ((first & 0xff00) === 0xff00) return true; // multicast
  // 2001::/23 (IETF protocol assignments, Teredo among them) and 2001:db8::/32 (documentation).
  return first === 0x2001 && ((groups[1] ?? 0) < 0x200 || groups[1] === 0xdb8);
}

/** Whether an IP address (v4 or v6, as written in a URL or returned by DNS) is not a public one. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return isPrivateV4(bare);
  if (family === 6) return isPrivateV6(bare);
  return true;
}

/** How a webhook host is resolved to addresses; DNS by default, injectable in tests. */
export type ResolveHost = (hostname: string) => Promise<string[]>;

/** Resolves a host with the system resolver (getaddrinfo), every address. */
export const resolveWithDns: ResolveHost = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Refuses a webhook URL whose host is, or resolves to, a non-public address unless private targets are
 * allowed. `unresolvable` says what to do when DNS gives no answer: accept (checked again at delivery)
 * or refuse (at delivery).
 */
export async function checkWebhookTarget(url: URL, options: { allowPrivate: boolean; unresolvable: 'accept' | 'refuse'; resolve?: ResolveHost }): Promise<void> {
  if (options.allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    try {
      addresses = await (options.resolve ?? resolveWithDns)(host);
    } catch {
      if (options.unresolvable === 'accept') return;
      throw new MlcycleError('invalid_input', `url: the host ${host} does not resolve`, { issues: [{ path: 'url', message: 'host does not resolve' }] });
    }
  }
  const blocked = addresses.find((address) => isPrivateAddress(address));
  if (blocked === undefined) return;
  const message = `the host ${host === blocked ? '' : `${host} `}is a private, loopback or link-local address (${blocked}); webhooks may only call public addresses unless the server allows private ones (--allow-private-webhooks)`;
  throw new MlcycleError('invalid_input', `url: ${message}`, { issues: [{ path: 'url', message: 'private address' }] });
}
