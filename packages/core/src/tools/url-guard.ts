import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AetherError } from '../errors.ts';

/**
 * The check every HTTP MCP URL passes before Aether connects to it, and again for every
 * request and redirect: no private, loopback, link-local, unspecified, multicast or cloud
 * metadata address, however it is written (`0x7f.1`, `2130706433`, `[::ffff:127.0.0.1]`,
 * a name that resolves to one), unless settings allow that host
 * (`execution.mcpAllowedPrivateHosts`).
 *
 * Known limit: the name is resolved here and again by `fetch`, so a DNS server that answers
 * differently the second time (rebinding) is not caught; allow-listing by IP is not affected.
 */

/** Options of the URL guard. */
export interface UrlGuardOptions {
  /** Host names, IP addresses or CIDR ranges that may be private (from settings). */
  allowedHosts: readonly string[];
  /** Resolves a host name to its addresses; defaults to the system resolver. */
  resolve?: (hostname: string) => Promise<string[]>;
}

const BLOCKED_V4: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

const BLOCKED_V6: ReadonlyArray<[string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
];

const BLOCKED_NAMES = [
  /^localhost$/,
  /\.localhost$/,
  /^metadata\.google\.internal$/,
  /^metadata\.goog$/,
  /^metadata$/,
];

const blocked = new BlockList();
for (const [network, prefix] of BLOCKED_V4) blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of BLOCKED_V6) blocked.addSubnet(network, prefix, 'ipv6');

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  let tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const parts = dotted[1].split('.').map(Number);
    tail = [((parts[0] ?? 0) << 8) | (parts[1] ?? 0), ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)];
    text = text.slice(0, -dotted[1].length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head = '', rest] = text.split('::');
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const left = parse(head);
  const right = [...parse(rest ?? ''), ...tail];
  const missing = 8 - left.length - right.length;
  if (rest === undefined && missing !== 0) return undefined;
  const groups = [...left, ...Array.from({ length: Math.max(0, missing) }, () => 0), ...right];
  return groups.length === 8 &&
    groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff)
    ? groups
    : undefined;
}

/** The IPv4 address embedded in an IPv4-mapped, -compatible, NAT64 or 6to4 IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const groups = ipv6Groups(address);
  if (groups === undefined) return undefined;
  const v4 = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  const zeroPrefix = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroPrefix && (g5 === 0xffff || g5 === 0)) return v4(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return v4(g6, g7);
  if (g0 === 0x2002) return v4(g1 ?? 0, g2 ?? 0);
  return undefined;
}

/** Why an IP address may not be connected to, or undefined when it may. */
export function blockedAddressReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4)
    return blocked.check(address, 'ipv4') ? 'a private, loopback, link-local or reserved address' : undefined;
  if (family === 6) {
    const inner = embeddedIpv4(address);
    if (inner !== undefined && inner !== '0.0.0.0' && blocked.check(inner, 'ipv4')) {
      return `an IPv6 form of ${inner}, a private, loopback or link-local address`;
    }
    return blocked.check(address, 'ipv6')
      ? 'a private, loopback, link-local or reserved IPv6 address'
      : undefined;
  }
  return 'not an IP address';
}

/** Host names, addresses and ranges settings allow. */
class AllowList {
  readonly #names = new Set<string>();
  readonly #addresses = new BlockList();

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, '');
      const slash = entry.indexOf('/');
      if (slash !== -1) {
        const network = entry.slice(0, slash);
        const prefix = Number(entry.slice(slash + 1));
        const family = isIP(network);
        if (family !== 0 && Number.isInteger(prefix)) {
          this.#addresses.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
          continue;
        }
      }
      const family = isIP(entry);
      if (family !== 0) this.#addresses.addAddress(entry, family === 4 ? 'ipv4' : 'ipv6');
      else this.#names.add(entry);
    }
  }

  hasName(hostname: string): boolean {
    return this.#names.has(hostname.toLowerCase());
  }

  hasAddress(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.#addresses.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

function refused(url: URL, reason: string): AetherError {
  return new AetherError('MCP_URL_REFUSED', `MCP server URL ${url.origin} refused: ${reason}`, {
    category: 'user',
    hint: 'if this server is meant to be on your own network, add its host to execution.mcpAllowedPrivateHosts',
  });
}

async function systemResolve(hostname: string): Promise<string[]> {
  const results = await lookup(hostname, { all: true, verbatim: true });
  return results.map((result) => result.address);
}

/**
 * Checks one URL. Returns it parsed; throws `MCP_URL_REFUSED` (naming the origin and why,
 * never a path or query, which may hold a token) or `MCP_URL_INVALID`.
 */
export async function checkMcpUrl(input: string | URL, options: UrlGuardOptions): Promise<URL> {
  let url: URL;
  try {
    url = input instanceof URL ? input : new URL(input);
  } catch {
    throw new AetherError('MCP_URL_INVALID', 'an MCP server URL is not a valid absolute URL', {
      category: 'user',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AetherError('MCP_URL_INVALID', `an MCP server URL must be http or https, got ${url.protocol}`, {
      category: 'user',
    });
  }
  if (url.username !== '' || url.password !== '') {
    throw refused(url, 'credentials in the URL are not allowed; put them in headers as a secret reference');
  }
  const allow = new AllowList(options.allowedHosts);
  const hostname = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (allow.hasName(hostname)) return url;
  if (isIP(hostname) !== 0) {
    if (allow.hasAddress(hostname)) return url;
    const reason = blockedAddressReason(hostname);
    if (reason !== undefined) throw refused(url, `${hostname} is ${reason}`);
    return url;
  }
  if (BLOCKED_NAMES.some((pattern) => pattern.test(hostname.replace(/\.$/, '')))) {
    throw refused(url, `${hostname} is a local or cloud metadata host name`);
  }
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? systemResolve)(hostname);
  } catch {
    throw new AetherError(
      'MCP_URL_UNRESOLVED',
      `the host of MCP server URL ${url.origin} could not be resolved`,
      {
        category: 'user',
        isRetryable: true,
      },
    );
  }
  for (const address of addresses) {
    if (allow.hasAddress(address)) continue;
    const reason = blockedAddressReason(address);
    if (reason !== undefined) throw refused(url, `${hostname} resolves to ${address}, ${reason}`);
  }
  return url;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** A `fetch` as the MCP SDK's HTTP transports take it. */
export type GuardedFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` that checks every URL with {@link checkMcpUrl} and follows redirects itself,
 * checking each target: same-origin redirects are followed, a redirect to another origin is
 * refused (the configured headers may carry secrets).
 */
export function createGuardedFetch(options: UrlGuardOptions, fetchImpl: typeof fetch = fetch): GuardedFetch {
  return async (input, init) => {
    let url = await checkMcpUrl(input instanceof URL ? input : new URL(String(input)), options);
    const origin = url.origin;
    let request: RequestInit = { ...init, redirect: 'manual' };
    for (let hop = 0; ; hop++) {
      const response = await fetchImpl(url, request);
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null) return response;
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw refused(url, `more than ${MAX_REDIRECTS} redirects`);
      const target = await checkMcpUrl(new URL(location, url), options);
      if (target.origin !== origin) throw refused(url, `it redirects to another origin (${target.origin})`);
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && request.method === 'POST')
      ) {
        const { body: _body, ...rest } = request;
        request = { ...rest, method: 'GET' };
      }
      url = target;
    }
  };
}
