import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type protobuf from 'protobufjs';

/** A JSON value an OTLP AnyValue becomes (no floats: JCS records hold integers only). */
export type AttrValue =
  | string
  | number
  | boolean
  | null
  | AttrValue[]
  | { [key: string]: AttrValue };

/** One OTLP log record with its resource and scope, flattened. */
export interface OtlpLogRecord {
  resource: Record<string, AttrValue>;
  scope: { name?: string; version?: string };
  /** Nanoseconds since the epoch, as decimal text (int64 does not fit a JS number). */
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  body?: AttrValue;
  attributes: Record<string, AttrValue>;
  /** Lower-case hex, absent when all zero. */
  traceId?: string;
  spanId?: string;
  eventName?: string;
}

/** A request body that is not OTLP; the message says where. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

let requestType: Promise<protobuf.Type> | undefined;

/**
 * ExportLogsServiceRequest from the official .proto files (./proto, opentelemetry-proto v1.11.0).
 * protobufjs is loaded with the first binary request, not with the server: most servers
 * never receive one. Requests arriving while it loads share the one load; a failed load is
 * tried again by the next request.
 */
function exportLogsServiceRequest(): Promise<protobuf.Type> {
  requestType ??= loadRequestType().catch((error: unknown) => {
    requestType = undefined;
    throw error;
  });
  return requestType;
}

async function loadRequestType(): Promise<protobuf.Type> {
  const { default: protobuf } = await import('protobufjs');
  const root = new protobuf.Root();
  const dir = protoDir();
  root.resolvePath = (_origin, target) => join(dir, target);
  root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto');
  return root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
}

/**
 * The .proto files sit beside this module in the sources and in `npm run build` output (the
 * build copies them); a bare `tsc --outDir` build (bench/) finds them in the checkout.
 */
function protoDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'proto')];
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir))
    candidates.push(join(dir, 'src', 'connect', 'otlp', 'proto'));
  const found = candidates.find((path) => existsSync(join(path, 'opentelemetry')));
  if (!found) throw new Error(`the OTLP .proto files are missing beside ${here}`);
  return found;
}

/** Encodes a response (for protobuf clients); exported for the route. */
export async function encodeLogsResponse(
  rejected: number,
  errorMessage: string,
): Promise<Uint8Array> {
  const root = (await exportLogsServiceRequest()).root;
  const type = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse');
  const body =
    rejected > 0 ? { partialSuccess: { rejectedLogRecords: rejected, errorMessage } } : {};
  return type.encode(type.fromObject(body)).finish();
}

/** OTLP/HTTP binary protobuf (Content-Type application/x-protobuf). */
export async function decodeProtobufLogs(bytes: Uint8Array): Promise<OtlpLogRecord[]> {
  const type = await exportLogsServiceRequest();
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (error) {
    throw new OtlpDecodeError(`not an OTLP ExportLogsServiceRequest: ${(error as Error).message}`);
  }
  const object = type.toObject(message, {
    longs: String,
    bytes: String,
    enums: Number,
  });
  return flatten(object, 'base64');
}

/** OTLP/HTTP JSON (Content-Type application/json): lowerCamelCase keys, hex trace ids. */
export function decodeJsonLogs(text: string): OtlpLogRecord[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new OtlpDecodeError(`not JSON: ${(error as Error).message}`);
  }
  if (!isObject(value))
    throw new OtlpDecodeError('the body must be an ExportLogsServiceRequest object');
  return flatten(value, 'hex');
}

function flatten(request: Record<string, unknown>, ids: 'hex' | 'base64'): OtlpLogRecord[] {
  const out: OtlpLogRecord[] = [];
  list(request.resourceLogs, 'resourceLogs').forEach((rl, i) => {
    const where = `resourceLogs[${i}]`;
    const r = obj(rl, where);
    const resource = attributes(
      isObject(r.resource) ? r.resource.attributes : undefined,
      `${where}.resource.attributes`,
    );
    list(r.scopeLogs, `${where}.scopeLogs`).forEach((sl, j) => {
      const swhere = `${where}.scopeLogs[${j}]`;
      const s = obj(sl, swhere);
      const scopeObj = isObject(s.scope) ? s.scope : {};
      const scope = {
        ...(typeof scopeObj.name === 'string' && scopeObj.name ? { name: scopeObj.name } : {}),
        ...(typeof scopeObj.version === 'string' && scopeObj.version
          ? { version: scopeObj.version }
          : {}),
      };
      list(s.logRecords, `${swhere}.logRecords`).forEach((lr, k) => {
        const lwhere = `${swhere}.logRecords[${k}]`;
        const l = obj(lr, lwhere);
        const record: OtlpLogRecord = {
          resource,
          scope,
          attributes: attributes(l.attributes, `${lwhere}.attributes`),
        };
        const time = nanos(l.timeUnixNano, `${lwhere}.timeUnixNano`);
        const observed = nanos(l.observedTimeUnixNano, `${lwhere}.observedTimeUnixNano`);
        if (time) record.timeUnixNano = time;
        if (observed) record.observedTimeUnixNano = observed;
        if (typeof l.severityNumber === 'number' && Number.isInteger(l.severityNumber))
          record.severityNumber = l.severityNumber;
        if (typeof l.severityText === 'string' && l.severityText)
          record.severityText = l.severityText;
        if (l.body !== undefined && l.body !== null)
          record.body = anyValue(l.body, `${lwhere}.body`, 0);
        const traceId = hexId(l.traceId, ids, 16, `${lwhere}.traceId`);
        const spanId = hexId(l.spanId, ids, 8, `${lwhere}.spanId`);
        if (traceId) record.traceId = traceId;
        if (spanId) record.spanId = spanId;
        if (typeof l.eventName === 'string' && l.eventName) record.eventName = l.eventName;
        out.push(record);
      });
    });
  });
  return out;
}

const MAX_VALUE_DEPTH = 8;

function anyValue(v: unknown, where: string, depth: number): AttrValue {
  if (depth > MAX_VALUE_DEPTH)
    throw new OtlpDecodeError(`${where}: nested deeper than ${MAX_VALUE_DEPTH}`);
  if (!isObject(v))
    throw new OtlpDecodeError(`${where}: an AnyValue must be an object like {"stringValue": "…"}`);
  if ('stringValue' in v) return String(v.stringValue);
  if ('boolValue' in v) return v.boolValue === true;
  if ('intValue' in v) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if ('doubleValue' in v) {
    const n = Number(v.doubleValue);
    // Records hold no floats (JCS): a fractional double is kept as its decimal text.
    return Number.isSafeInteger(n) ? n : String(v.doubleValue);
  }
  if ('bytesValue' in v) return String(v.bytesValue);
  if ('arrayValue' in v) {
    const values = isObject(v.arrayValue) ? v.arrayValue.values : undefined;
    return (Array.isArray(values) ? values : []).map((x, i) =>
      anyValue(x, `${where}.arrayValue.values[${i}]`, depth + 1),
    );
  }
  if ('kvlistValue' in v) {
    const values = isObject(v.kvlistValue) ? v.kvlistValue.values : undefined;
    return keyValues(values, `${where}.kvlistValue.values`, depth + 1);
  }
  return null; // an empty AnyValue is allowed by the protocol
}

function attributes(v: unknown, where: string): Record<string, AttrValue> {
  return keyValues(v, where, 0);
}

function keyValues(v: unknown, where: string, depth: number): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  if (v === undefined || v === null) return out;
  if (!Array.isArray(v)) throw new OtlpDecodeError(`${where}: must be a list of {key, value}`);
  v.forEach((kv, i) => {
    if (!isObject(kv) || typeof kv.key !== 'string')
      throw new OtlpDecodeError(`${where}[${i}]: needs a string "key"`);
    if (kv.key === '__proto__') return;
    out[kv.key] =
      kv.value === undefined || kv.value === null
        ? null
        : anyValue(kv.value, `${where}[${i}].value`, depth);
  });
  return out;
}

function nanos(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null || v === '' || v === '0' || v === 0) return undefined;
  const text = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
  if (typeof text !== 'string' || !/^\d{1,20}$/.test(text))
    throw new OtlpDecodeError(`${where}: nanoseconds since the epoch, as an integer`);
  return text;
}

function hexId(
  v: unknown,
  encoding: 'hex' | 'base64',
  bytes: number,
  where: string,
): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string')
    throw new OtlpDecodeError(`${where}: must be ${encoding === 'hex' ? 'hex' : 'bytes'}`);
  const hex = encoding === 'hex' ? v.toLowerCase() : Buffer.from(v, 'base64').toString('hex');
  if (!new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(hex))
    throw new OtlpDecodeError(`${where}: must be ${bytes} bytes (${bytes * 2} hex digits)`);
  return /^0+$/.test(hex) ? undefined : hex;
}

function list(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpDecodeError(`${where}: must be a list`);
  return v;
}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (!isObject(v)) throw new OtlpDecodeError(`${where}: must be an object`);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
