/** Where and how a syslog listener listens, and which ingest key it appends as. */
export interface ListenerSpec {
  protocol: 'tcp' | 'tls';
  host: string;
  port: number;
  /** Id of the ingest key (`evident keys list`) whose source this listener's events get. */
  keyId: string;
  /** tls: only clients with a certificate from this CA (PEM file) may connect. */
  clientCa?: string;
  /** tls with client_ca: the certificate's subject CN must be one of these. */
  clientCns?: string[];
  /** The text as given, for messages. */
  text: string;
}

export class ListenerSpecError extends Error {
  override readonly name = 'ListenerSpecError';
}

const KEYS = ['key', 'client_ca', 'client_cn'];

/**
 * Parses `tcp://HOST:PORT?key=KEY_ID` or `tls://HOST:PORT?key=KEY_ID[&client_ca=FILE]
 * [&client_cn=NAME,…]` (serve --syslog, docs/connect.md). The key binds the listener to a
 * credential: its events get the key's source, and revoking the key stops the listener.
 */
export function parseListenerSpec(text: string): ListenerSpec {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ListenerSpecError(
      `--syslog ${text}: expected tcp://HOST:PORT?key=KEY_ID or tls://HOST:PORT?key=KEY_ID`,
    );
  }
  const protocol = url.protocol.slice(0, -1);
  if (protocol !== 'tcp' && protocol !== 'tls') {
    throw new ListenerSpecError(
      `--syslog ${text}: protocol must be tcp or tls; got ${JSON.stringify(protocol)}`,
    );
  }
  const port = Number(url.port);
  if (!url.port || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ListenerSpecError(
      `--syslog ${text}: give a port (1–65535, or 0 for any free one), e.g. ${protocol}://127.0.0.1:6514`,
    );
  }
  for (const name of url.searchParams.keys()) {
    if (!KEYS.includes(name))
      throw new ListenerSpecError(
        `--syslog ${text}: unknown parameter "${name}"; known: ${KEYS.join(', ')}`,
      );
  }
  const keyId = url.searchParams.get('key');
  if (!keyId || !/^[0-9a-f]{16}$/.test(keyId)) {
    throw new ListenerSpecError(
      `--syslog ${text}: add ?key=KEY_ID, the 16-hex-digit id of an ingest key for the source these hosts log as (evident keys create --source SOURCE; evident keys list)`,
    );
  }
  const clientCa = url.searchParams.get('client_ca') ?? undefined;
  const cns = url.searchParams.get('client_cn');
  if (protocol === 'tcp' && (clientCa || cns)) {
    throw new ListenerSpecError(`--syslog ${text}: client_ca and client_cn need tls://`);
  }
  if (cns && !clientCa)
    throw new ListenerSpecError(
      `--syslog ${text}: client_cn needs client_ca (the CA that vouches for the name)`,
    );
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    protocol,
    host,
    port,
    keyId,
    ...(clientCa ? { clientCa } : {}),
    ...(cns ? { clientCns: cns.split(',').filter(Boolean) } : {}),
    text,
  };
}
