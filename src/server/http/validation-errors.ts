import type { ErrorObject } from 'ajv';
import { closest } from '../../core/did-you-mean.js';
import { isErrorReason } from '../../error-reasons.js';
import { AppError } from '../../errors.js';

/**
 * Turns what Ajv found wrong with a request into today's API error: the reason, the message
 * and the `path` a hand-written check would have given, so moving a route onto schemas
 * changes no answer a client sees. Unknown names come first (a typo explains the rest), then
 * missing ones, then bad values.
 *
 * A schema may say what its value must be in words (`x-problem`, used for pattern and format
 * failures) and, for a value with a reason of its own, which reason (`x-reason`).
 */
export function validationError(
  errors: readonly ErrorObject[],
  part: 'body' | 'querystring' | 'params' | 'headers' | string,
): AppError {
  const error = [...errors].sort((a, b) => rank(a) - rank(b))[0];
  if (error === undefined) return new AppError('invalid_request', `the request ${part} is invalid`);
  if (part === 'querystring') return queryError(error);
  if (part === 'body') return bodyError(error);
  return paramError(error);
}

const RANK: Record<string, number> = { additionalProperties: 0, required: 1, type: 2 };
const rank = (error: ErrorObject): number => RANK[error.keyword] ?? 3;

function queryError(error: ErrorObject): AppError {
  if (error.keyword === 'additionalProperties') {
    const name = String(error.params.additionalProperty);
    const allowed = allowedNames(error);
    const hint = closest(name, allowed);
    return new AppError(
      'unknown_query_parameter',
      `unknown query parameter "${name}"${didYouMean(hint)}; allowed: ${allowed.join(', ')}`,
      { path: name },
    );
  }
  const name =
    error.keyword === 'required'
      ? String(error.params.missingProperty)
      : (pathOf(error.instancePath).split('.')[0] ?? '');
  const problem = error.keyword === 'required' ? 'is required' : valueProblem(error);
  return new AppError(reasonOf(error, 'invalid_query'), `query parameter "${name}" ${problem}`, {
    path: name,
  });
}

function bodyError(error: ErrorObject): AppError {
  const at = pathOf(error.instancePath);
  if (error.keyword === 'additionalProperties') {
    const name = String(error.params.additionalProperty);
    const allowed = allowedNames(error);
    const hint = closest(name, allowed);
    return new AppError(
      'unknown_field',
      `unknown field "${name}"${didYouMean(hint)}; allowed: ${allowed.join(', ')}`,
      { path: join(at, name) },
    );
  }
  if (error.keyword === 'required') {
    const name = join(at, String(error.params.missingProperty));
    return new AppError('missing_field', `"${name}" is required`, { path: name });
  }
  if (at === '') {
    return new AppError('body_not_object', 'the body must be a JSON object', { path: '$' });
  }
  return new AppError(reasonOf(error, 'invalid_field'), `"${at}" ${valueProblem(error)}`, {
    path: at,
  });
}

function paramError(error: ErrorObject): AppError {
  const name = pathOf(error.instancePath) || String(error.params.missingProperty ?? '');
  return new AppError(
    reasonOf(error, 'invalid_request'),
    `path parameter "${name}" ${valueProblem(error)}`,
    { path: name },
  );
}

/** What a value must be, in the words today's hand-written checks used. */
function valueProblem(error: ErrorObject): string {
  const schema = (error.parentSchema ?? {}) as Record<string, unknown>;
  const problem = typeof schema['x-problem'] === 'string' ? schema['x-problem'] : undefined;
  switch (error.keyword) {
    case 'type':
      // Query strings arrive as text; a repeated parameter arrives as a list.
      if (Array.isArray(error.data)) return 'must be given once';
      if (error.params.type === 'integer') {
        return typeof schema.minimum === 'number' && schema.minimum >= 0
          ? 'must be a non-negative integer'
          : 'must be an integer';
      }
      return `must be ${article(String(error.params.type))}`;
    case 'minimum':
    case 'maximum':
      return `must be between ${schema.minimum ?? Number.MIN_SAFE_INTEGER} and ${schema.maximum ?? Number.MAX_SAFE_INTEGER}`;
    case 'minLength':
      return schema.minLength === 1
        ? 'must not be empty; omit it instead'
        : `must be at least ${schema.minLength} characters`;
    case 'maxLength':
      return `must be at most ${schema.maxLength} characters`;
    case 'enum':
      return `must be one of ${(schema.enum as unknown[]).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(schema.const)}`;
    case 'pattern':
    case 'format':
      return problem ?? `must match ${String(error.params.pattern ?? error.params.format)}`;
    case 'minItems':
      return `must have at least ${schema.minItems} items`;
    case 'maxItems':
      return `must have at most ${schema.maxItems} items`;
    default:
      return problem ?? error.message ?? 'is invalid';
  }
}

function reasonOf(error: ErrorObject, fallback: AppError['reason']): AppError['reason'] {
  const reason = (error.parentSchema as Record<string, unknown> | undefined)?.['x-reason'];
  return typeof reason === 'string' && isErrorReason(reason) ? reason : fallback;
}

function allowedNames(error: ErrorObject): string[] {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)
    ?.properties;
  return Object.keys(properties ?? {});
}

const didYouMean = (hint: string | undefined) =>
  hint === undefined ? '' : ` (did you mean "${hint}"?)`;

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

/** Ajv's JSON pointer (`/channels/0/url`) as the dotted path errors name (`channels[0].url`). */
function pathOf(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(part) ? `[${part}]` : path === '' ? part : `.${part}`;
  }
  return path;
}

const join = (at: string, name: string) => (at === '' ? name : `${at}.${name}`);
