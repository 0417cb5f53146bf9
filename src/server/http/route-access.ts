import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Action } from '../../access/principal.js';
import { AppError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { parseJsonBody } from './json-body.js';
import type { JsonSchema } from './schemas.js';

/**
 * Who may reach a schema-first route, declared in its `config.access` beside its schema:
 * - 'public': anyone (health, the OpenAPI document, sign-in);
 * - 'authenticated': any valid credential (the handler authorises what it needs);
 * - an Action: a credential allowed that action (the handler still calls `ctx.access` or
 *   `authorize` with the resource, as every route does).
 *
 * It is checked before the request is validated, so a caller without valid credentials gets
 * the 401 (and one without the action the 403) it got before routes had schemas, never a 400
 * that would tell it about the endpoint's parameters first.
 */
export type RouteAccess = 'public' | 'authenticated' | Action;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/**
 * Runs, for every route, before validation: first the access check its config declares, then
 * the JSON body parse (our content-type parser keeps the raw text so duplicate keys and
 * prototype keys are refused before anything reads it; json-body.ts).
 */
export function installRouteAccess(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('preValidation', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === 'authenticated') await ctx.authenticate(request);
    else if (access !== undefined && access !== 'public') await ctx.access(request, access);
    parseBodyForSchema(request);
  });
}

function parseBodyForSchema(request: FastifyRequest): void {
  const schema = request.routeOptions.schema?.body as JsonSchema | undefined;
  if (schema === undefined || schema['x-parsed-by-handler'] === true) return;
  const value = parseJsonBody(request.body);
  if (value !== undefined) {
    request.body = value;
    return;
  }
  // No body at all: fine where nothing is required (an optional body means "no options").
  const required = schema.required as string[] | undefined;
  if (required === undefined || required.length === 0) {
    request.body = {};
    return;
  }
  throw new AppError('body_not_object', `send a JSON object body with ${required.join(', ')}`);
}
