import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which addresses a webhook may reach (server-side request forgery, OWASP SSRF Prevention
 * Cheat Sheet). By default only public unicast: not loopback, private (10/8, 172.16/12,
 * 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10, where cloud metadata lives),
 * unspecified (0.0.0.0/8, ::), carrier-grade NAT (100.64/10), multicast, broadcast, reserved,
 * nor IPv6 forms that carry an IPv4 address (::ffff:127.0.0.1, NAT64, 6to4, Teredo), which
 * would smuggle an internal IPv4 target past an IPv6 check. `allow_internal` lists the CIDRs
 * and host names of internal receivers an operator means to reach.
 */
export class TargetPolicy {
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  private readonly hosts = new Set<string>();

  constructor(allowInternal: readonly string[] = []) {
    for (const entry of allowInternal) {
      const cidr = parseAllowEntry(entry);
      if (cidr === undefined) this.hosts.add(normaliseHost(entry));
      else this.ranges.push(cidr);
    }
  }

  /** Why a connection to `address` (resolved from `host`) is refused, or undefined. */
  refusal(host: string, address: string): string | undefined {
    if (this.hosts.has(normaliseHost(host))) return undefined;
    const ip = ipaddr.process(address);
    // ::a.b.c.d (IPv4-compatible, deprecated by RFC 4291 §2.5.5.1) is "unicast" to ipaddr.js.
    const special = ip.range();
    const range =
      special === 'unicast' && ip.kind() === 'ipv6' && ip.match(IPV4_COMPATIBLE)
        ? 'reserved'
        : special;
    if (range === 'unicast') return undefined;
    for (const [net, bits] of this.ranges) {
      if (net.kind() === ip.kind() && ip.match(net, bits)) return undefined;
    }
    return `${address} is ${RANGE_NAMES[range] ?? `a special-purpose address (${range})`}; webhooks reach only public addresses unless allow_internal lists it`;
  }

  /**
   * The check for a URL whose host is an IP address: connecting to one asks no `lookup`, so
   * guardedLookup never sees it and it must be checked before the request.
   */
  literalRefusal(url: URL): string | undefined {
    const host = bareHost(url.hostname);
    return isIP(host) === 0 ? undefined : this.refusal(host, host);
  }

  /**
   * The check a URL can have before any lookup: a literal internal IP or `localhost`. Names
   * are checked again on every connection (they may resolve elsewhere by then).
   */
  urlRefusal(url: URL): string | undefined {
    const literal = this.literalRefusal(url);
    if (literal !== undefined) return literal;
    const name = normaliseHost(url.hostname);
    if (name === 'localhost' || name.endsWith('.localhost')) {
      return this.hosts.has(name)
        ? undefined
        : `${url.hostname} is a loopback name; webhooks reach only public addresses unless allow_internal lists it`;
    }
    return undefined;
  }
}

const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96') as [ipaddr.IPv6, number];

const RANGE_NAMES: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address',
  private: 'a private address',
  uniqueLocal: 'a private (unique local) address',
  reserved: 'a reserved address',
  rfc6052: 'an IPv6 address embedding an IPv4 one (NAT64)',
  rfc6145: 'an IPv6 address embedding an IPv4 one (SIIT)',
  '6to4': 'an IPv6 address embedding an IPv4 one (6to4)',
  teredo: 'an IPv6 address embedding an IPv4 one (Teredo)',
};

/** A CIDR or one address as a CIDR; undefined for something else (a host name). */
export function parseAllowEntry(entry: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  const text = bareHost(entry);
  if (text.includes('/')) {
    if (!ipaddr.isValidCIDR(text)) return undefined;
    return ipaddr.parseCIDR(text);
  }
  if (!ipaddr.isValid(text) || isIP(text) === 0) return undefined;
  const ip = ipaddr.parse(text);
  return [ip, ip.kind() === 'ipv4' ? 32 : 128];
}

/** URL host names keep IPv6 brackets; addresses do not. */
function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function normaliseHost(host: string): string {
  return bareHost(host).toLowerCase().replace(/\.$/, '');
}

/** The resolver a guarded connection asks (node:dns's lookup; tests may pass their own). */
export type Resolver = (
  hostname: string,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export const systemResolver: Resolver = (hostname, callback) =>
  dnsLookup(hostname, { all: true, verbatim: true }, callback);

/** The error a refused connection fails with (its message is the reason). */
export const TARGET_REFUSED = 'EVIDENT_TARGET_REFUSED';

/**
 * A `lookup` for http(s).request / net.connect that checks every address a name resolves to
 * at connect time, so a name that resolved to a public address when it was saved (or a
 * moment ago) cannot be pointed at an internal one afterwards (DNS rebinding). A name with
 * any refused address is refused whole.
 */
export function guardedLookup(
  policy: TargetPolicy,
  resolve: Resolver = systemResolver,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, (error, found) => {
      if (error) return callback(error, '', undefined);
      const addresses = found.filter((a) => !options.family || a.family === options.family);
      for (const a of addresses) {
        const reason = policy.refusal(hostname, a.address);
        if (reason !== undefined) {
          const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves to ${reason}`);
          refused.code = TARGET_REFUSED;
          return callback(refused, '', undefined);
        }
      }
      if (addresses.length === 0) {
        const none: NodeJS.ErrnoException = new Error(`${hostname} has no address`);
        none.code = 'ENOTFOUND';
        return callback(none, '', undefined);
      }
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
