import type { ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestAjv } from './schema-validation.js';
import type { JsonSchema } from './schemas.js';

/**
 * Checks every JSON answer of a schema-first route against the response schema it declares
 * for that status, and reports what does not match. Tests turn it on (test/support/
 * test-server.ts): response schemas do not filter what is sent (JSON.stringify serialises),
 * so this is what keeps them, and the OpenAPI document made from them, true.
 */
export function installResponseCheck(
  app: FastifyInstance,
  report: (problem: string) => void,
): void {
  const ajv = requestAjv(false);
  const compiled = new WeakMap<JsonSchema, ValidateFunction>();
  const validatorFor = (schema: JsonSchema): ValidateFunction => {
    let validate = compiled.get(schema);
    if (validate === undefined) {
      const { description: _d, content: _c, ...body } = schema;
      validate = ajv.compile(body);
      compiled.set(schema, validate);
    }
    return validate;
  };
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    const responses = request.routeOptions.schema?.response as
      | Record<string, JsonSchema>
      | undefined;
    if (responses === undefined) return payload;
    const where = `${request.method} ${request.routeOptions.url} → ${reply.statusCode}`;
    const status = String(reply.statusCode);
    const declared = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
    if (declared === undefined) {
      if (reply.statusCode < 500) report(`${where}: the status is not declared`);
      return payload;
    }
    const mediaType = String(reply.getHeader('content-type') ?? '')
      .split(';')[0]!
      .trim();
    const content = declared.content as Record<string, { schema: JsonSchema }> | undefined;
    if (content !== undefined && content[mediaType] === undefined) {
      report(`${where}: Content-Type ${mediaType} is not declared`);
      return payload;
    }
    if (mediaType !== 'application/json' || typeof payload !== 'string') return payload;
    const schema = content?.[mediaType]?.schema ?? declared;
    try {
      const validate = validatorFor(schema);
      if (!validate(JSON.parse(payload))) {
        report(`${where}: ${ajv.errorsText(validate.errors, { dataVar: 'body' })}`);
      }
    } catch (error) {
      // A schema Ajv cannot compile is a finding too, not a failed answer.
      report(`${where}: ${String(error)}`);
    }
    return payload;
  });
}
