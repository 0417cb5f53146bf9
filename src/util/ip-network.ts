import { BlockList, isIPv4, isIPv6, SocketAddress } from 'node:net';
import type { IpNetwork } from '../store/store.js';

/**
 * Parses `10.0.0.7`, `10.0.0.0/8`, `2001:db8::7` or `2001:db8::/32` (a bare address is a
 * host: /32 or /128). Undefined when it is none of those. The address is normalised by
 * node:net, so `2001:0db8::` and `2001:db8::` are one network.
 */
export function parseIpNetwork(text: string): IpNetwork | undefined {
  const slash = text.indexOf('/');
  const host = slash < 0 ? text : text.slice(0, slash);
  const family = isIPv4(host) ? 'ipv4' : isIPv6(host) && !host.includes('%') ? 'ipv6' : undefined;
  if (family === undefined) return undefined;
  const max = family === 'ipv4' ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const digits = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(digits) || Number(digits) > max) return undefined;
    prefix = Number(digits);
  }
  return { family, address: new SocketAddress({ address: host, family }).address, prefix };
}

export function formatIpNetwork(network: IpNetwork): string {
  return `${network.address}/${network.prefix}`;
}

const matchers = new Map<string, BlockList>();

/**
 * Whether `ip` (a stored `actor.ip`, already validated on ingest) lies in `network`
 * (formatIpNetwork text). The SQLite adapter registers this as a SQL function; PostgreSQL
 * uses its own inet type with the same meaning. IPv4 and IPv6 networks never contain each
 * other's addresses.
 */
export function ipInNetwork(ip: unknown, network: string): boolean {
  if (typeof ip !== 'string') return false;
  let list = matchers.get(network);
  if (!list) {
    const parsed = parseIpNetwork(network);
    if (!parsed) return false;
    list = new BlockList();
    list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    if (matchers.size > 1000) matchers.clear();
    matchers.set(network, list);
  }
  const family = isIPv4(ip) ? 'ipv4' : isIPv6(ip) ? 'ipv6' : undefined;
  if (family === undefined) return false;
  const subnetFamily = network.includes(':') ? 'ipv6' : 'ipv4';
  return family === subnetFamily && list.check(ip, family);
}
