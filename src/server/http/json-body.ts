import { closest } from '../../core/did-you-mean.js';
import { CoreError } from '../../core/errors.js';
import { parseEventsBody } from '../../core/record/parse-body.js';
import { findPrototypeKey } from '../../core/record/prototype-keys.js';
import { AppError } from '../../errors.js';

/**
 * A JSON request body parsed from the raw text the app's content-type parser keeps, or
 * undefined when it is empty. An object goes through the events parser: a repeated key is
 * refused, not last-wins (RFC 8785 / I-JSON), so what was checked is what was meant. Keys that
 * alter prototypes (`__proto__`, `constructor.prototype`) are refused anywhere in it.
 */
export function parseJsonBody(body: unknown): unknown {
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body === 'string' && body.trim() === '') return undefined;
  let value: unknown;
  try {
    value =
      typeof body !== 'string'
        ? body
        : /^\s*\{/.test(body)
          ? parseEventsBody(body, 'json')[0]
          : JSON.parse(body);
  } catch (error) {
    if (error instanceof CoreError) {
      throw new AppError('malformed_json', error.message, { path: error.path ?? '$' });
    }
    // JSON.parse fails only with SyntaxError; anything else is not the client's doing.
    if (!(error instanceof SyntaxError)) throw error;
    throw new AppError('malformed_json', `the body is not valid JSON: ${error.message}`, {
      path: '$',
    });
  }
  const poisoned = findPrototypeKey(value);
  if (poisoned !== undefined) {
    throw new AppError(
      'prototype_key',
      `${poisoned}: "__proto__" keys and "constructor.prototype" objects are not allowed (they alter object prototypes in JavaScript consumers); rename the key`,
      { path: poisoned },
    );
  }
  return value;
}

/**
 * The JSON object body of an administrative request (principals, tokens, alerts, settings),
 * parsed by parseJsonBody, with unknown fields refused (a typo must not silently drop a
 * setting) and a did-you-mean hint.
 */
export function jsonObjectBody(
  body: unknown,
  allowed: readonly string[],
  options: { optional?: boolean } = {},
): Record<string, unknown> {
  const value = parseJsonBody(body);
  if (value === undefined) {
    if (options.optional) return {};
    throw new AppError('body_not_object', `send a JSON object body with ${allowed.join(', ')}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('body_not_object', 'the body must be a JSON object', { path: '$' });
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const hint = closest(key, allowed);
      throw new AppError(
        'unknown_field',
        `unknown field "${key}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}; allowed: ${allowed.join(', ')}`,
        { path: key },
      );
    }
  }
  return value as Record<string, unknown>;
}

/** A string field: required unless `optional`, trimmed of nothing, bounded. */
export function stringField(
  body: Record<string, unknown>,
  name: string,
  options: { optional?: boolean; max?: number } = {},
): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) {
    if (options.optional) return undefined;
    throw new AppError('missing_field', `"${name}" is required`, { path: name });
  }
  const max = options.max ?? 1024;
  if (typeof v !== 'string' || v.length === 0 || v.length > max) {
    throw new AppError('invalid_field', `"${name}" must be a string of 1–${max} characters`, {
      path: name,
    });
  }
  return v;
}
