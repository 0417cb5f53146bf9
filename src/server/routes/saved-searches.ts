import type { FastifyInstance } from 'fastify';
import type { AccountPrincipal } from '../../access/principal.js';
import { AppError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { jsonObjectBody, stringField } from '../http/json-body.js';
import { savedSearchJson } from '../presenters/saved-search.js';
import {
  deleteSavedSearchSchema,
  listSavedSearchesSchema,
  SAVED_SEARCH_FIELDS,
  SAVED_SEARCH_NAME_MAX,
  SAVED_SEARCH_QUERY_MAX,
  SAVED_SEARCH_RANGE_MAX,
  saveSearchSchema,
} from './saved-searches-schemas.js';

/**
 * /api/v1/saved-searches: each person's saved searches. Anyone who may search may save;
 * the list, a save and a delete only ever touch the caller's own.
 */
export function savedSearchRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const person = async (request: Parameters<typeof ctx.access>[0]): Promise<AccountPrincipal> => {
    const principal = await ctx.access(request, 'events.read');
    // Ingest keys never hold events.read; this narrows the type for the service.
    if (principal.kind === 'ingest')
      throw new AppError(
        'role_required',
        'ingest keys only append; sign in as a person to save searches',
      );
    return principal;
  };

  app.get(
    '/api/v1/saved-searches',
    { config: { access: 'events.read' }, schema: listSavedSearchesSchema },
    async (request) => {
      const principal = await person(request);
      return { saved_searches: (await ctx.savedSearches.list(principal)).map(savedSearchJson) };
    },
  );

  app.post(
    '/api/v1/saved-searches',
    { config: { access: 'events.read' }, schema: saveSearchSchema },
    async (request, reply) => {
      const principal = await person(request);
      const body = jsonObjectBody(request.body, SAVED_SEARCH_FIELDS);
      const name = stringField(body, 'name', { max: SAVED_SEARCH_NAME_MAX })!;
      const query =
        body.query === '' ? '' : stringField(body, 'query', { max: SAVED_SEARCH_QUERY_MAX })!;
      const range =
        body.range === undefined || body.range === ''
          ? ''
          : stringField(body, 'range', { max: SAVED_SEARCH_RANGE_MAX })!;
      if (name.trim() === '') {
        throw new AppError('invalid_field', '"name" must have a visible character', {
          path: 'name',
        });
      }
      if (query === '' && range === '') {
        throw new AppError(
          'invalid_field',
          'a saved search needs a query or a range; both are empty',
          {
            path: 'query',
          },
        );
      }
      const { saved, created } = await ctx.savedSearches.save(principal, request.ip, {
        name,
        query,
        range,
      });
      return reply.status(created ? 201 : 200).send(savedSearchJson(saved));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/saved-searches/:id',
    { config: { access: 'events.read' }, schema: deleteSavedSearchSchema },
    async (request, reply) => {
      const principal = await person(request);
      await ctx.savedSearches.delete(principal, request.ip, request.params.id);
      return reply.status(204).send();
    },
  );
}
