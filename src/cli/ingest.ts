import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import {
  type AppendAnswer,
  backoffMs,
  EvidentClientError,
  isRetryable,
  sendBatch,
} from '../../packages/client/src/index.js';
import { ulidGenerator } from '../util/ids.js';
import { apiUrl, parsePositiveInt } from './options.js';
import { startProgress } from './progress.js';

interface IngestOptions {
  key?: string;
  url?: string;
  batchSize: number;
  format: 'auto' | 'json' | 'ndjson';
  checkpointOut?: string;
  historical?: boolean;
}

/** One event on its way: its text and where it came from ("line 3", "item 2"), for errors. */
interface Pending {
  text: string;
  where: string;
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
    .option(
      '--historical',
      'a backfill of past events: recorded in each record as historical; the rules never alert on them and clock-skew statistics leave them out',
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
      const client: Target = { url: apiUrl(opts.url), key };
      if (file !== '-' && !existsSync(file)) throw new Error(`no such file: ${file}`);
      const input: Readable = file === '-' ? process.stdin : createReadStream(file);
      await ingest(client, input, opts);
    });
}

/** Where the batches go: the server and the ingest key. */
interface Target {
  url: string;
  key: string;
}

async function ingest(client: Target, input: Readable, opts: IngestOptions) {
  const started = Date.now();
  const progress = startProgress('ingest', undefined, 'events');
  const generate = ulidGenerator();
  const newId = () => generate(Date.now());
  let sent = 0;
  let fresh = 0;
  let alreadyStored = 0;
  // Already stored in a batch that was resent after its answer was lost: possibly by the
  // lost attempt, i.e. by this run.
  let storedByLostAttempt = 0;
  let lastCheckpoint: string | undefined;
  let treeSize = 0;

  try {
    let batch: Pending[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const { response, resent } = await sendWithRetry(
        client,
        batch,
        sent,
        opts.historical === true,
      );
      for (const e of response.entries) {
        if (!e.already_stored) fresh++;
        else if (resent) storedByLostAttempt++;
        else alreadyStored++;
      }
      sent += batch.length;
      lastCheckpoint = response.checkpoint;
      treeSize = Number(response.checkpoint.split('\n')[1]);
      progress.update(sent);
      batch = [];
    };
    for await (const item of readEvents(input, opts.format)) {
      batch.push({ text: withId(item.text, item.where, newId), where: item.where });
      if (batch.length >= opts.batchSize) await flush();
    }
    await flush();
  } finally {
    progress.stop();
  }
  if (opts.checkpointOut && lastCheckpoint) writeFileSync(opts.checkpointOut, lastCheckpoint);
  const seconds = (Date.now() - started) / 1000;
  console.log(
    sent === 0
      ? 'Ingested 0 events: the input holds none.'
      : `Ingested ${sent} event(s) in ${seconds.toFixed(1)} s (${Math.round(sent / Math.max(seconds, 0.001))}/s): ` +
          `${fresh} new, ${alreadyStored} already stored (same id and content, not appended again)` +
          `${storedByLostAttempt > 0 ? `, ${storedByLostAttempt} stored by an attempt whose answer was lost, or earlier` : ''}` +
          `; tree size ${treeSize}.`,
  );
}

/**
 * Sends one batch through the client library's transport; retries what it calls retryable
 * (unreachable, lost answers, 429, 5xx), which is safe because every event has an id.
 * `resent` says a lost answer hid whether an earlier attempt was stored.
 */
async function sendWithRetry(
  client: Target,
  batch: Pending[],
  storedBefore: number,
  historical: boolean,
): Promise<{ response: AppendAnswer; resent: boolean }> {
  const lines = batch.map((p) => p.text);
  let resent = false;
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await sendBatch(lines, {
        url: client.url,
        key: client.key,
        fetch: (url, init) => fetch(url, init),
        proofs: false,
        historical,
        timeoutMs: 60_000,
      });
      return { response, resent };
    } catch (error) {
      if (isRetryable(error) && attempt < RETRIES) {
        if (error instanceof EvidentClientError && error.code === 'unreachable') resent = true;
        await new Promise((resolve) =>
          setTimeout(resolve, backoffMs(attempt, 200, 5_000, Math.random)),
        );
        continue;
      }
      if (error instanceof EvidentClientError && error.code === 'unreachable') {
        throw new Error(`${error.message}; is \`evident serve\` running?`);
      }
      if (error instanceof EvidentClientError) {
        // The server names the event by its place in the batch ("$[3].actor.id"); say where it is in the input.
        const index = error.path ? /^\$\[(\d+)\]/.exec(error.path) : null;
        const where = index ? batch[Number(index[1])]?.where : undefined;
        const message = error.message.replace(/^\$\[\d+\]/, '$');
        throw new Error(
          `${where ? `${where}: ` : ''}${message}; nothing from this batch was stored (${storedBefore} event(s) stored before it)`,
        );
      }
      throw error;
    }
  }
}

/**
 * The events of the input, in order. Auto format: a JSON array (first character "["), one
 * JSON object (possibly pretty-printed over many lines), or NDJSON (one object per line).
 * A UTF-8 byte order mark is ignored.
 */
async function* readEvents(
  input: Readable,
  format: IngestOptions['format'],
): AsyncGenerator<{ text: string; where: string }> {
  input.setEncoding('utf8');
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<string>;
  let head = '';
  // Read until the first line is complete (or the input ends), to tell the formats apart.
  for (;;) {
    if (head.includes('\n')) break;
    const next = await chunks.next();
    if (next.done) break;
    head += next.value;
  }
  if (head.charCodeAt(0) === 0xfeff) head = head.slice(1);
  const start = head.trimStart();
  if (start === '' && format !== 'json') return;
  const firstLine = start.slice(0, start.indexOf('\n') === -1 ? undefined : start.indexOf('\n'));
  const whole =
    format === 'json' ||
    (format === 'auto' && (start.startsWith('[') || (start.startsWith('{') && !isJson(firstLine))));
  if (whole) {
    let text = head;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) text += next.value;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`the input is not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed)) {
      yield { text: JSON.stringify(parsed), where: 'the event' };
      return;
    }
    for (let i = 0; i < parsed.length; i++)
      yield { text: JSON.stringify(parsed[i]), where: `item ${i + 1}` };
    return;
  }
  let buffer = head;
  let line = 0;
  for (;;) {
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      line++;
      const text = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (text.trim() !== '') yield { text, where: `line ${line}` };
      newline = buffer.indexOf('\n');
    }
    const next = await chunks.next();
    if (next.done) break;
    buffer += next.value;
  }
  line++;
  if (buffer.trim() !== '') yield { text: buffer.replace(/\r$/, ''), where: `line ${line}` };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Gives an event without an `id` one, so a retried batch cannot store it twice. The id is
 * spliced into the original text so nothing else about the line changes (the server still
 * sees, and rejects, anything wrong with it).
 */
function withId(text: string, where: string, newId: () => string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not valid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where}: each event must be a JSON object`);
  }
  if (Object.hasOwn(value, 'id')) return text;
  const body = text.trim().slice(1).trimStart();
  return `{"id":"${newId()}"${body.startsWith('}') ? '' : ','}${body}`;
}
