import type { FastifyInstance } from 'fastify';
import { contentResponse, IGNORED_QUERY } from '../http/schemas.js';
import { openApiDocument } from '../openapi/document.js';

/** The API description is public: it holds no data, and clients generate code from it. */
export function openApiRoutes(app: FastifyInstance): void {
  let document: string | undefined;
  app.get(
    '/api/v1/openapi.json',
    {
      config: { access: 'public' },
      schema: {
        summary: 'This document',
        querystring: IGNORED_QUERY,
        response: {
          200: contentResponse('OpenAPI 3.1', { 'application/json': { type: 'object' } }),
        },
      },
    },
    async (_request, reply) => {
      document ??= JSON.stringify(openApiDocument(app));
      return reply.type('application/json; charset=utf-8').send(document);
    },
  );
}
