import type { FastifyInstance } from 'fastify';
import { openApiDocument } from '../openapi.js';

/** The API description is public: it holds no data, and clients generate code from it. */
export function openApiRoutes(app: FastifyInstance): void {
  const document = JSON.stringify(openApiDocument());
  app.get('/api/v1/openapi.json', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(document),
  );
}
