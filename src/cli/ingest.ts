import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { ApiClient, ApiError } from '../client/api-client.js';
import { ulidGenerator } from '../util/ids.js';
import { apiUrl, parsePositiveInt } from './options.js';
import { startProgress } from './progress.js';

interface IngestOptions {
  key?: string;
  url?: string;
  batchSize: number;
  format: 'auto' | 'json' | 'ndjson';
  checkpointOut?: string;
}

interface AppendResponse {
  entries: { id: string; seq: number; leaf_hash: string }[];
  checkpoint: string;
}

/** One event on its way: its text and where it came from, for error messages. */
interface Pending {
  text: string;
  line: number;
}

const RETRIES = 5;

export function ingestCommand(program: Command): void {
  program
    .command('ingest')
    .description(
      'append events from a file or stdin (JSON object, JSON array, or NDJSON) in batches',
    )
    .argument('<file>', "file to read, or '-' for stdin")
    .option('-k, --key <key>', 'ingest key (env EVIDENT_KEY)')
    .option('-u, --url <url>', 'server URL (env EVIDENT_URL)')
    .option('-b, --batch-size <n>', 'events per request (max 10000)', parsePositiveInt, 500)
    .option('-f, --format <format>', 'auto | json | ndjson', 'auto')
    .option(
      '--checkpoint-out <file>',
      'save the final signed checkpoint here (for `evident proof --since`)',
    )
    .action(async (file: string, opts: IngestOptions) => {
      const key = opts.key ?? process.env.EVIDENT_KEY;
      if (!key)
        throw new Error(
          'no ingest key: pass --key or set EVIDENT_KEY (create one with `evident keys create --source NAME`)',
        );
      if (!['auto', 'json', 'ndjson'].includes(opts.format))
        throw new Error('--format must be auto, json or ndjson');
      if (opts.batchSize > 10_000) throw new Error('--batch-size must be at most 10000');
      const client = new ApiClient({ baseUrl: apiUrl(opts.url), token: key });
      const input: Readable = file === '-' ? process.stdin : createReadStream(file);
      await ingest(client, input, opts);
    });
}

async function ingest(client: ApiClient, input: Readable, opts: IngestOptions) {
  const started = Date.now();
  const progress = startProgress('ingest', undefined, 'events');
  const generate = ulidGenerator();
  const newId = () => generate(Date.now());
  let sent = 0;
  let duplicates = 0;
  let lastCheckpoint: string | undefined;
  let treeSize = 0;
  const seqs = new Set<number>();

  const flush = async (batch: Pending[]) => {
    if (batch.length === 0) return;
    const response = await sendWithRetry(client, batch);
    for (const e of response.entries) {
      if (seqs.has(e.seq)) duplicates++;
      seqs.add(e.seq);
    }
    sent += batch.length;
    lastCheckpoint = response.checkpoint;
    treeSize = Number(response.checkpoint.split('\n')[1]);
    progress.update(sent);
  };

  try {
    const batches =
      opts.format === 'json' || (opts.format === 'auto' && (await startsWithBracket(input)))
        ? jsonArrayBatches(input, opts.batchSize, newId)
        : ndjsonBatches(input, opts.batchSize, newId);
    for await (const batch of batches) await flush(batch);
  } finally {
    progress.stop();
  }
  if (opts.checkpointOut && lastCheckpoint) writeFileSync(opts.checkpointOut, lastCheckpoint);
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `Ingested ${sent} event(s) in ${seconds.toFixed(1)} s (${Math.round(sent / Math.max(seconds, 0.001))}/s)` +
      `${duplicates > 0 ? `, ${duplicates} already stored` : ''}; tree size ${treeSize}.`,
  );
}

/** Sends one batch; retries transport failures and 503s, which is safe because every event has an id. */
async function sendWithRetry(client: ApiClient, batch: Pending[]): Promise<AppendResponse> {
  const body = batch.map((p) => p.text).join('\n');
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.post<AppendResponse>('/api/v1/events', body, 'application/x-ndjson');
    } catch (error) {
      if (
        error instanceof ApiError &&
        (error.status === 0 || error.status === 503) &&
        attempt < RETRIES
      ) {
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
        continue;
      }
      if (error instanceof ApiError && error.path) {
        const index = /^\$\[(\d+)\]/.exec(error.path);
        const where = index ? batch[Number(index[1])] : undefined;
        if (where) {
          throw new Error(
            `line ${where.line}: ${error.message}${error.path ? ` (${error.path.replace(/^\$\[\d+\]/, '$')})` : ''}; nothing from this batch was stored`,
          );
        }
      }
      throw error;
    }
  }
}

/** NDJSON, streamed: every non-blank line is one event. */
async function* ndjsonBatches(
  input: Readable,
  size: number,
  newId: () => string,
): AsyncGenerator<Pending[]> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let batch: Pending[] = [];
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    batch.push({ text: withId(text, line, newId), line });
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** A JSON object or array, read whole. */
async function* jsonArrayBatches(
  input: Readable,
  size: number,
  newId: () => string,
): AsyncGenerator<Pending[]> {
  let text = '';
  for await (const chunk of input) text += chunk;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`input is not valid JSON: ${(error as Error).message}`);
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  for (let i = 0; i < items.length; i += size) {
    yield items.slice(i, i + size).map((item, k) => ({
      text: withId(JSON.stringify(item), i + k + 1, newId),
      line: i + k + 1,
    }));
  }
}

/**
 * Gives an event without an `id` one, so a retried batch cannot store it twice. The id is
 * spliced into the original text so nothing else about the line changes (the server still
 * sees, and rejects, anything wrong with it).
 */
function withId(text: string, line: number, newId: () => string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`line ${line}: not valid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`line ${line}: each event must be a JSON object`);
  }
  if (Object.hasOwn(value, 'id')) return text;
  const body = text.trim().slice(1).trimStart();
  return `{"id":"${newId()}"${body.startsWith('}') ? '' : ','}${body}`;
}

/** Peeks at the first non-blank character without consuming the stream. */
async function startsWithBracket(input: Readable): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onReadable = () => {
      const chunk = input.read() as Buffer | string | null;
      if (chunk === null) return;
      input.off('readable', onReadable);
      input.off('end', onEnd);
      input.unshift(chunk);
      resolve(String(chunk).trimStart().startsWith('['));
    };
    const onEnd = () => resolve(false);
    input.on('readable', onReadable);
    input.once('end', onEnd);
    input.once('error', reject);
  });
}
