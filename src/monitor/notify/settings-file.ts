import { LineCounter, type Node, parseDocument } from 'yaml';
import { AppError } from '../../errors.js';
import { parseNotificationSettings } from './parse-settings.js';

/** A settings file is small hand-written text. */
const MAX_FILE_BYTES = 256 * 1024;

/** `$.channels[0].smtp.port` → ['channels', 0, 'smtp', 'port']. */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.replace(/^\$/, '').matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) {
    out.push(m[1] !== undefined ? m[1] : Number(m[2]));
  }
  return out;
}

/**
 * Reads notification settings written as YAML or JSON (JSON is YAML), checks them as the
 * server will, and returns the plain value to PUT. Errors name `file:line:col` and the path,
 * so a mistake is found in the file, not in the request.
 */
export function readSettingsFile(text: string, file: string): Record<string, unknown> {
  if (Buffer.byteLength(text, 'utf8') > MAX_FILE_BYTES) {
    throw new Error(`${file}: larger than ${MAX_FILE_BYTES} bytes; is it the right file?`);
  }
  const lines = new LineCounter();
  // uniqueKeys: a repeated key would silently drop the first value.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = lines.linePos(syntax.pos[0]);
    throw new Error(`${file}:${pos.line}:${pos.col}: ${syntax.message.split('\n')[0]}`);
  }
  const value = doc.toJS({ maxAliasCount: 0 }) as unknown;
  try {
    parseNotificationSettings(value ?? {});
  } catch (error) {
    if (!(error instanceof AppError) || error.path === undefined) throw error;
    const segments = pathSegments(error.path);
    // The deepest node that exists: an absent field is reported where its parent is.
    let node: Node | undefined;
    for (let n = segments.length; n >= 0 && node === undefined; n--) {
      node = doc.getIn(segments.slice(0, n), true) as Node | undefined;
    }
    const offset = node?.range?.[0];
    const pos = offset === undefined ? undefined : lines.linePos(offset);
    throw new Error(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${error.message}`);
  }
  return (value ?? {}) as Record<string, unknown>;
}
