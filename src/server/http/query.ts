import { AppError } from '../../errors.js';

/** Query parameters as Fastify hands them over (repeated names become arrays). */
export type RawQuery = Record<string, string | string[] | undefined>;

/**
 * Reads a query string strictly: unknown or repeated parameters, empty values and control
 * characters are 400s naming the parameter, so a typo never silently widens a search.
 */
export class QueryReader {
  private readonly query: RawQuery;

  constructor(query: unknown, allowed: readonly string[]) {
    this.query = (query ?? {}) as RawQuery;
    for (const name of Object.keys(this.query)) {
      if (!allowed.includes(name)) {
        throw new AppError(
          'unknown_query_parameter',
          `unknown query parameter "${name}"; allowed: ${allowed.join(', ')}`,
          {
            path: name,
          },
        );
      }
    }
  }

  string(name: string, maxLength = 256): string | undefined {
    const value = this.query[name];
    if (value === undefined) return undefined;
    if (Array.isArray(value)) throw this.bad(name, 'must be given once');
    if (value.length === 0) throw this.bad(name, 'must not be empty; omit it instead');
    if (value.length > maxLength) throw this.bad(name, `must be at most ${maxLength} characters`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(value))
      throw this.bad(name, 'must not contain control characters');
    return value;
  }

  /** A non-negative safe integer written in plain decimal. */
  integer(name: string, options: { min?: number; max?: number } = {}): number | undefined {
    const text = this.string(name, 20);
    if (text === undefined) return undefined;
    if (!/^(0|[1-9][0-9]*)$/.test(text)) throw this.bad(name, 'must be a non-negative integer');
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw this.bad(name, 'is too large');
    const { min = 0, max = Number.MAX_SAFE_INTEGER } = options;
    if (value < min || value > max) throw this.bad(name, `must be between ${min} and ${max}`);
    return value;
  }

  /** An RFC 3339 timestamp with an offset; returns epoch milliseconds. */
  timestamp(name: string): number | undefined {
    const text = this.string(name, 40);
    if (text === undefined) return undefined;
    const valid = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/.test(
      text,
    );
    const ms = Date.parse(text);
    if (!valid || Number.isNaN(ms)) {
      throw this.bad(
        name,
        'must be an RFC 3339 timestamp with an offset, e.g. 2026-11-22T09:00:00Z',
      );
    }
    return ms;
  }

  /**
   * A bound of a time range: an RFC 3339 timestamp, or a date alone (`2026-12-03`), which
   * is that day in UTC: its first millisecond as a `start`, its last as an `end`.
   */
  instant(name: string, edge: 'start' | 'end'): number | undefined {
    const text = this.string(name, 40);
    if (text === undefined) return undefined;
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!day) {
      try {
        return this.timestamp(name);
      } catch {
        throw this.bad(
          name,
          'must be an RFC 3339 timestamp with an offset (2026-11-22T09:00:00Z) or a date, which means that day in UTC (2026-11-22)',
        );
      }
    }
    const start = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    if (new Date(start).toISOString().slice(0, 10) !== text) {
      throw this.bad(name, `is not a calendar date (got "${text}")`);
    }
    return edge === 'start' ? start : start + 86_400_000 - 1;
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (!(values as readonly string[]).includes(text))
      throw this.bad(name, `must be one of ${values.join(', ')}`);
    return text as T;
  }

  private bad(name: string, problem: string): AppError {
    return new AppError('invalid_query', `query parameter "${name}" ${problem}`, { path: name });
  }
}
