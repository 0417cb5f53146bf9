import { isIPv4, isIPv6 } from 'node:net';

/**
 * The network an address belongs to, for "first use from a new network": IPv4 /24 and
 * IPv6 /64 (the usual subnet sizes of one site or one SLAAC LAN). IPv4-mapped IPv6
 * addresses count as IPv4. Undefined for text that is not an address.
 */
export function networkOf(ip: string): string | undefined {
  if (isIPv4(ip)) return `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`;
  if (!isIPv6(ip)) return undefined;
  const zoneless = ip.split('%')[0]!.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(zoneless);
  if (mapped) return networkOf(mapped[1]!);
  const groups = expandIPv6(zoneless);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** Eight hextets without leading zeros, so one network has one spelling. */
function expandIPv6(ip: string): string[] {
  let text = ip;
  // An embedded IPv4 tail (::1.2.3.4) is two hextets.
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => Number.parseInt(g, 16).toString(16));
}
