import { principalPaths, principalSchemas } from './openapi-principals.js';

const ERROR_TEXT: Record<number, string> = {
  400: 'Bad input; `error.path` names the field or parameter to fix',
  401: 'Missing, malformed, expired, revoked or unknown token (one answer for all)',
  403: 'The credential may not do this: no role of it allows the action (docs/security.md has the matrix), or a separation-of-duties rule refuses it',
  404: 'Not found',
  409: 'A conflict with the current state: an event id stored with other content, a name taken, the last admin, a request no longer pending',
  413: 'Body or canonical record too large',
  415: 'Unsupported Content-Type',
  429: 'Too many requests: wait as long as Retry-After says, then retry',
  503: 'The log could not commit; retry with the same event ids',
};

/**
 * The hand-written part of the OpenAPI document: the paths of routes not yet declared with
 * schemas (openapi/document.ts merges them under the generated ones, which always win). It
 * shrinks as routes move onto schemas (each openapi-*.ts goes with its routes), and goes
 * when the last one has. Its `$ref`s name the shared components (Error, …) the generated
 * document defines.
 */
export function handWrittenDocument(): {
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
} {
  return {
    paths: {
      ...principalPaths(),
    } as Record<string, Record<string, unknown>>,
    components: {
      responses: Object.fromEntries(
        Object.entries(ERROR_TEXT).map(([status, description]) => [
          `Error${status}`,
          {
            description,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
      schemas: {
        ...principalSchemas(),
      },
    },
  };
}
