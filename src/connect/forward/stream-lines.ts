/** Reads GET /api/v1/events/stream and yields each entry with its seq; heartbeats are skipped. */
import type { StreamFormat } from '../siem/stream-format.js';

export interface StreamedLine {
  seq: number;
  /** The line as the server sent it (no newline). */
  text: string;
  /** Event time in ms, for the syslog header. */
  timeMs: number | undefined;
  /** True for failure or denied outcomes (a higher syslog severity). */
  failed: boolean;
}

/** Where each format keeps the seq, time and outcome. */
export function describeLine(text: string, format: StreamFormat): StreamedLine {
  const v = JSON.parse(text);
  if (format === 'ocsf') {
    return { seq: v.metadata.sequence, text, timeMs: v.time, failed: v.status_id === 2 };
  }
  if (format === 'ecs') {
    return {
      seq: v.event.sequence,
      text,
      timeMs: Date.parse(v['@timestamp']),
      failed: v.event.outcome === 'failure',
    };
  }
  return {
    seq: v.seq,
    text,
    timeMs: Date.parse(v.record.time),
    failed: v.record.outcome === 'failure' || v.record.outcome === 'denied',
  };
}

/** Yielded after each chunk read from the network: a good moment to deliver a partial batch. */
export const CHUNK_END = Symbol('chunk end');

export async function* streamLines(options: {
  url: string;
  token: string;
  after: number | undefined;
  format: StreamFormat;
  signal: AbortSignal;
}): AsyncGenerator<StreamedLine | typeof CHUNK_END> {
  const target = new URL(`${options.url}/api/v1/events/stream`);
  target.searchParams.set('format', options.format);
  if (options.after !== undefined) target.searchParams.set('after', String(options.after));
  const response = await fetch(target, {
    headers: { authorization: `Bearer ${options.token}` },
    signal: options.signal,
  });
  if (!response.ok || !response.body) {
    let message = `${response.status}`;
    try {
      message =
        ((await response.json()) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // Not our error shape; the status says enough.
    }
    throw Object.assign(new Error(`the stream answered ${response.status}: ${message}`), {
      status: response.status,
    });
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim() !== '') yield describeLine(line, options.format);
      newline = buffer.indexOf('\n');
    }
    yield CHUNK_END;
  }
}
