import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { type JsonSchema, SHARED_SCHEMAS } from './schemas.js';
import { validationError } from './validation-errors.js';

/** Keywords our schemas carry for people and for error messages, which Ajv only has to accept. */
const ANNOTATIONS = ['x-problem', 'x-reason', 'x-parsed-by-handler', 'example'];

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An Ajv for one part of a request. Unknown properties are errors, never silently removed
 * (Fastify's default `removeAdditional` would drop a mistyped filter and widen a search);
 * nothing is filled in from defaults (a handler sees what the client sent). Query strings and
 * path parameters are text, so they are coerced to the declared type (and a repeated query
 * parameter stays a list, which a scalar schema refuses); JSON bodies are typed already and
 * are never coerced ("true" is not true).
 */
export function requestAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    allowUnionTypes: true,
    removeAdditional: false,
    useDefaults: false,
    coerceTypes: coerce ? 'array' : false,
    // binary: protobuf bodies, documented only (they are never JSON).
    formats: { 'date-time': DATE_TIME, binary: true },
  });
  for (const keyword of ANNOTATIONS) ajv.addKeyword({ keyword });
  for (const schema of SHARED_SCHEMAS) ajv.addSchema(schema);
  return ajv;
}

/**
 * Validates requests with each route's schema, turns failures into today's API errors, and
 * keeps JSON.stringify for responses: a response schema documents and is tested
 * (test/server/response-schemas.test.ts), it does not filter what is sent.
 */
export function installSchemaValidation(app: FastifyInstance): void {
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  const text = requestAjv(true);
  const json = requestAjv(false);
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const s = schema as JsonSchema;
    // The events body is parsed (and every record checked) by core/record: the schema is
    // its documentation.
    if (httpPart === 'body' && s['x-parsed-by-handler'] === true) return () => true;
    const validate: ValidateFunction = (httpPart === 'body' ? json : text).compile(s);
    return validate;
  });
  app.setSchemaErrorFormatter((errors, part) => validationError(errors, part));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}

/** The schema a route declared, if any (routes without one are listed in a test). */
export function routeSchema(request: {
  routeOptions: { schema?: FastifySchema };
}): FastifySchema | undefined {
  return request.routeOptions.schema;
}
