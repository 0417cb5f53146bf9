/** Plain fetch helpers for end-to-end tests: what any client (curl, a script) would send. */
import { request } from 'node:http';

export const E2E_ORIGIN = 'evident.test/e2e';
export const E2E_ADMIN_TOKEN = 'eva_e2e-admin-token-0123456789abcdef';

export interface AppendResponse {
  entries: { id: string; seq: number; leaf_hash: string; already_stored: boolean }[];
  checkpoint: string;
}

export interface StoredEvent {
  seq: number;
  leaf_hash: string;
  record: Record<string, unknown> & { id: string; source: string; actor: { id: string } };
}

/** A valid event as a source would send it; `i` varies actor, action and target. */
export function sampleEvent(i: number, id?: string): Record<string, unknown> {
  return {
    ...(id === undefined ? {} : { id }),
    time: new Date(Date.UTC(2026, 10, 22, 9, 0, 0) + i).toISOString(),
    actor: { id: `u-${i % 7}`, type: 'user', name: `User ${i % 7}` },
    action: i % 2 === 0 ? 'customer.read' : 'invoice.send',
    ...(i % 3 === 0 ? {} : { target: { type: 'customer', id: `c-${i}` } }),
    outcome: i % 11 === 0 ? 'denied' : 'success',
  };
}

/** POST /api/v1/events; returns the status and parsed body (never throws on 4xx/5xx). */
export async function postEvents(
  url: string,
  key: string,
  body: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/api/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Keep the text: the assertion that fails will show it.
  }
  return { status: response.status, body: parsed };
}

/**
 * POST /api/v1/events on a fresh connection closed after the answer (like curl), through
 * node:http rather than fetch, whose pooled keep-alive sockets outlive the test's interest.
 */
export function postEventsOnce(
  url: string,
  key: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/v1/events`,
      {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          connection: 'close',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('error', reject);
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Keep the text.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

/** GET with the admin token (or another); returns status and parsed JSON. */
export async function getJson<T = unknown>(
  url: string,
  path: string,
  token = E2E_ADMIN_TOKEN,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as T };
}

/** Every entry of the log, paged through GET /api/v1/log/entries. */
export async function allEntries(url: string, token = E2E_ADMIN_TOKEN): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let start: number | null = 0;
  while (start !== null) {
    const page: { status: number; body: { entries: StoredEvent[]; next_start: number | null } } =
      await getJson(url, `/api/v1/log/entries?start=${start}`, token);
    if (page.status !== 200) throw new Error(`entries page at ${start}: ${page.status}`);
    out.push(...page.body.entries);
    start = page.body.next_start;
  }
  return out;
}

/** The tree size through /healthz, which needs no token and appends nothing to the log. */
export async function treeSize(url: string): Promise<number> {
  const response = await fetch(`${url}/healthz`);
  const body = (await response.json()) as { tree_size: number };
  return body.tree_size;
}
