/** `host:port` (IPv6 in brackets) as `--listen` and a config file's `listen` give it. */
export function parseListen(value: string, where = '--listen'): { host: string; port: number } {
  const m = /^(.*):(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) > 65535)
    throw new Error(`${where} must be host:port, e.g. 127.0.0.1:6432 (got ${value})`);
  return { host: m[1]!.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(m[2]) };
}
