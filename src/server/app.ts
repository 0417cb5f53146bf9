import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifySchema } from 'fastify';
import { type ServerDeps, serverContext } from './context.js';
import { installErrorHandling } from './http/error-handler.js';
import { installResponseCheck } from './http/response-check.js';
import { installRouteAccess, type RouteAccess } from './http/route-access.js';
import { installSchemaValidation } from './http/schema-validation.js';
import { installSecurityHeaders } from './http/security-headers.js';
import { installOpenApi } from './openapi/document.js';
import { alertRoutes } from './routes/alerts.js';
import { alertBulkRoutes } from './routes/alerts-bulk.js';
import { approvalRoutes } from './routes/approvals.js';
import { authRoutes } from './routes/auth.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { eventRoutes } from './routes/events.js';
import { eventExportRoutes } from './routes/events-export.js';
import { eventFacetRoutes } from './routes/events-facets.js';
import { fourEyesRoutes } from './routes/four-eyes.js';
import { gatewayRoutes } from './routes/gateway.js';
import { healthRoutes } from './routes/health.js';
import { holdRoutes } from './routes/holds.js';
import { ingestKeyRoutes } from './routes/ingest-keys.js';
import { ingestMappingRoutes } from './routes/ingest-mappings.js';
import { logRoutes } from './routes/log.js';
import { notificationRoutes } from './routes/notifications.js';
import { openApiRoutes } from './routes/openapi.js';
import { otlpLogRoutes } from './routes/otlp-logs.js';
import { packRoutes } from './routes/packs.js';
import { principalRoutes } from './routes/principals.js';
import { reportRoutes } from './routes/reports.js';
import { retentionRoutes } from './routes/retention.js';
import { reviewRoutes } from './routes/reviews.js';
import { ruleRoutes } from './routes/rules.js';
import { savedSearchRoutes } from './routes/saved-searches.js';
import { sourceRoutes } from './routes/sources.js';
import { streamRoutes } from './routes/stream.js';
import { tileRoutes } from './routes/tiles.js';
import { tokenRoutes } from './routes/tokens.js';
import { whoamiRoutes } from './routes/whoami.js';
import { defaultWebRoot } from './web-assets.js';

export interface RegisteredRoute {
  method: string;
  url: string;
  /** What the route declared (schema-first routes: http/schemas.ts, docs/architecture.md). */
  schema: FastifySchema | undefined;
  access: RouteAccess | undefined;
}
const registered = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route of an app built here (the permission-matrix test walks them all). */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return registered.get(app) ?? [];
}

export interface AppOptions {
  logLevel?: string;
  /** Tests: told of every answer that does not match its route's response schema. */
  checkResponses?: (problem: string) => void;
}

/** The HTTP API (`/api/v1`, see docs/api.md and /api/v1/openapi.json). */
export function buildApp(deps: ServerDeps, options: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: options.logLevel === undefined ? false : { level: options.logLevel },
    bodyLimit: 1024 * 1024,
    // Our own parsers below see the raw text: duplicate keys and depth are checked before
    // anything is trusted, and NDJSON shares the path.
    return503OnClosing: true,
  });
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, schema: route.schema, access: route.config?.access });
    }
  });
  registered.set(app, routes);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/x-ndjson'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );
  installErrorHandling(app);
  installSchemaValidation(app);
  installOpenApi(app);
  installSecurityHeaders(app);
  // Parses the session cookie for the Authenticator (context.ts) and sets it at sign-in.
  void app.register(cookie);
  const ctx = serverContext(deps);
  installRouteAccess(app, ctx);
  if (options.checkResponses) installResponseCheck(app, options.checkResponses);
  // The routes load as a plugin, after @fastify/swagger (installOpenApi): its onRoute hook only
  // sees routes registered once it has loaded, and the document is generated from those.
  void app.register(async (api) => {
    healthRoutes(api, ctx);
    streamRoutes(api, ctx);
    eventRoutes(api, ctx);
    ingestMappingRoutes(api, ctx);
    otlpLogRoutes(api, ctx);
    eventExportRoutes(api, ctx);
    logRoutes(api, ctx);
    tileRoutes(api, ctx);
    reportRoutes(api, ctx);
    packRoutes(api, ctx);
    notificationRoutes(api, ctx);
    ingestKeyRoutes(api, ctx);
    sourceRoutes(api, ctx);
    principalRoutes(api, ctx);
    tokenRoutes(api, ctx);
    approvalRoutes(api, ctx);
    fourEyesRoutes(api, ctx);
    whoamiRoutes(api, ctx);
    ruleRoutes(api, ctx);
    authRoutes(api, ctx);
    alertRoutes(api, ctx);
    alertBulkRoutes(api, ctx);
    reviewRoutes(api, ctx);
    gatewayRoutes(api, ctx);
    retentionRoutes(api, ctx);
    holdRoutes(api, ctx);
    openApiRoutes(api);
    eventFacetRoutes(api, ctx);
    savedSearchRoutes(api, ctx);
    dashboardRoutes(api, deps.webRoot ?? defaultWebRoot());
  });
  return app;
}
