import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AccountDirectory } from '../access/accounts/accounts.js';
import { createOwnToken } from '../access/admin/account-tokens.js';
import { type AdminContext, adminActor, adminContext } from '../access/admin/admin-context.js';
import { readFourEyes } from '../access/admin/four-eyes-settings.js';
import { PrincipalDirectory } from '../access/admin/principal-directory.js';
import type { AdminToken } from '../access/authentication/admin-token.js';
import { Authenticator, type SessionResolver } from '../access/authentication/authenticate.js';
import type { CallerDeps } from '../access/authentication/caller.js';
import { authorize, type Resource } from '../access/authorization/authorize.js';
import type { SourceScope } from '../access/authorization/source-scope.js';
import { ApiTokens } from '../access/credentials/api-tokens.js';
import { IngestKeyService } from '../access/credentials/ingest-key-service.js';
import { GatewayCredentials } from '../access/gateway/gateway-credentials.js';
import { GatewayGrants } from '../access/gateway/gateway-grants.js';
import { GatewaySync } from '../access/gateway/gateway-sync.js';
import type { Action, Principal } from '../access/principal.js';
import type { SignIn } from '../access/sign-in/sign-in.js';
import { SignInService } from '../access/sign-in/sign-in-service.js';
import { MappedAppend } from '../connect/mapping/mapped-append.js';
import type { MappingRegistry } from '../connect/mapping/registry.js';
import { EntryFlags } from '../events/entry-flags.js';
import { EventSearch } from '../events/event-search.js';
import { LogReader } from '../events/log-reader.js';
import { LogTiles } from '../events/log-tiles.js';
import { SavedSearchService } from '../events/saved-search-service.js';
import { PackService } from '../evidence/pack-service.js';
import { ReportService } from '../evidence/report-service.js';
import type { SelfAudit } from '../log/self-audit.js';
import type { Sequencer } from '../log/sequencer.js';
import type { WitnessedAck } from '../log/witnessed-ack.js';
import { AlertService } from '../monitor/alerts/alert-service.js';
import { assignableAccounts } from '../monitor/alerts/assignable.js';
import type { ClockSyncSource } from '../monitor/clock/clock-sync.js';
import { RuleStore } from '../monitor/engine/rule-store.js';
import { HealthCheck } from '../monitor/health.js';
import { DeliveryService } from '../monitor/notify/delivery-service.js';
import { NotificationSettingsService } from '../monitor/notify/settings-service.js';
import type { SourceSettings } from '../monitor/sources/settings.js';
import { SourceDirectory } from '../monitor/sources/source-directory.js';
import { LegalHoldService } from '../retention/hold-service.js';
import { RetentionPolicyService } from '../retention/policy-service.js';
import { ReviewService } from '../review/review-service.js';
import { ReviewWork } from '../review/review-work.js';
import type { IngestKeyRow, Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import { ulidGenerator } from '../util/ids.js';
import type { SecretBox } from '../util/secret-box.js';

/** The cookie that carries a person's session (sessions.ts sets it). */
export const SESSION_COOKIE = 'evident_session';

/** What routes need, handed in by whoever starts the server (CLI, tests, benchmarks). */
export interface ServerDeps {
  store: Store;
  sequencer: Sequencer;
  origin: string;
  verifierKey: string;
  /** Undefined when the bootstrap token is turned off. */
  adminToken: AdminToken | undefined;
  clock: Clock;
  audit: SelfAudit;
  /** Seals and opens stored notification secrets (the data folder's secrets.key). */
  secrets: SecretBox;
  sessions?: SessionResolver;
  /** Password and OpenID sign-in (routes/auth.ts); its `sessions` is also `sessions` above. */
  signIn?: SignIn;
  /** Told of every new ingest key (the source registry declares its source). */
  onIngestKeyCreated?: (key: IngestKeyRow) => Promise<void>;
  /** Clock-skew limit and default silence for the sources routes and entry flags. */
  sourceSettings?: SourceSettings;
  /** Where /healthz learns whether the host clock is synchronised (default: ClockSyncProbe). */
  clockSync?: ClockSyncSource;
  /** The built dashboard (default: dist/web, see web-assets.ts). */
  webRoot?: string;
  /** Named shipper mappings (POST /api/v1/ingest/:mapping); default: the built-in ones. */
  mappings?: MappingRegistry;
  /** The settings service the server start also uses (`--notifications`); default: one of its own. */
  notificationSettings?: NotificationSettingsService;
  /**
   * The server's one AlertService, when the monitor was started with it before the routes
   * (start-server.ts makes it with `alertService`); default: one made for these routes.
   */
  alerts?: AlertService;
  /** Set when ingest acks wait for k witness cosignatures (`serve --witnessed-ack`). */
  witnessedAck?: WitnessedAck;
  /** The pack's verify.html (default: the built one, dist/pack-verify/verify.html). */
  verifyPage?: () => Uint8Array;
}

export interface Access {
  principal: Principal;
  /** The sources this principal may see for the action (searches filter by it). */
  scope: SourceScope;
}

export interface ServerContext extends ServerDeps {
  /** Only authenticates (whoami: any principal, ingest keys too); throws 401. */
  authenticate(request: FastifyRequest): Promise<Principal>;
  /** Authenticates the request and authorises `action` (on `resource`); throws 401/403/404. */
  access(request: FastifyRequest, action: Action, resource?: Resource): Promise<Principal>;
  /** Like access, with the scope the decision allows. */
  accessScoped(request: FastifyRequest, action: Action, resource?: Resource): Promise<Access>;
  authenticator: Authenticator;
  accounts: AccountDirectory;
  tokens: ApiTokens;
  notificationSettings: NotificationSettingsService;
  deliveries: DeliveryService;
  sources: SourceDirectory;
  /** What principal, token and approval administration share (one per server). */
  admin: AdminContext;
  /** People and services, their roles, four-eyes requests and settings (routes call it). */
  principals: PrincipalDirectory;
  /** Alerts and their handling: the routes' and the monitor's one service. */
  alerts: AlertService;
  /** The rule layers and where the engine stands. */
  rules: RuleStore;
  /** Password, OpenID and CLI sign-in (routes/auth.ts). */
  signInService: SignInService;
  /** What `GET /whoami` reads beside the principal. */
  callers: CallerDeps;
  /** Head, checkpoints, keys, raw pages, proofs and the live stream of the log. */
  log: LogReader;
  /** The tree as C2SP tlog-tiles (hash tiles and entry bundles). */
  tiles: LogTiles;
  /** The event search and export (filters, scope, cursors). */
  search: EventSearch;
  /** Each person's saved searches. */
  savedSearches: SavedSearchService;
  /** Read-time flags of entries (late, clock skew, backfill), by the server's limits. */
  entryFlags: EntryFlags;
  ingestKeys: IngestKeyService;
  /** Appends what a shipper mapping produced, answering retries from the store. */
  mappedAppend: MappedAppend;
  health: HealthCheck;
  /** Review definitions and reading occurrences (src/review/). */
  reviews: ReviewService;
  /** Starting, observing, deciding, signing off, countersigning and correcting reviews. */
  reviewWork: ReviewWork;
  /** Reports of a period, through a reader's scope (routes/reports.ts). */
  reports: ReportService;
  /** Evidence packs cut for a caller (routes/packs.ts). */
  packs: PackService;
  /** People's database-gateway credentials (access/gateway/). */
  gatewayCredentials: GatewayCredentials;
  /** The gateway's policy: who may reach which database as which upstream role. */
  gatewayGrants: GatewayGrants;
  /** What a running gateway fetches. */
  gatewaySync: GatewaySync;
  /** Retention policies (routes/retention.ts). */
  retention: RetentionPolicyService;
  /** Legal holds (routes/holds.ts). */
  holds: LegalHoldService;
}

/**
 * The AlertService of a server: the monitor raises through it, the routes read and handle
 * through it. Made once per server, here, so both see the same assignment rules.
 */
export function alertService(deps: {
  store: Store;
  audit: SelfAudit;
  clock: Clock;
  accounts?: AccountDirectory;
  onRaised?: ConstructorParameters<typeof AlertService>[0]['onRaised'];
  onError?: (error: unknown) => void;
}): AlertService {
  return new AlertService({
    store: deps.store,
    audit: deps.audit,
    clock: deps.clock,
    assignable: assignableAccounts(deps.accounts ?? new AccountDirectory(deps.store)),
    ...(deps.onRaised ? { onRaised: deps.onRaised } : {}),
    ...(deps.onError ? { onError: deps.onError } : {}),
  });
}

export function serverContext(deps: ServerDeps): ServerContext {
  const accounts = new AccountDirectory(deps.store);
  const tokens = new ApiTokens(deps.store.state);
  const ids = ulidGenerator();
  const services = { db: deps.store, audit: deps.audit, clock: deps.clock };
  const notificationSettings =
    deps.notificationSettings ??
    new NotificationSettingsService({ ...services, secrets: deps.secrets, ids });
  const deliveries = new DeliveryService({ ...services, ids });
  const sources = new SourceDirectory(services);
  const authenticator = new Authenticator({ ...deps, accounts, tokens });
  // Once per request: the route-access hook (http/route-access.ts) authenticates before
  // validation, and the handler's own access() call gets the same answer.
  const authenticated = new WeakMap<FastifyRequest, Promise<Principal>>();
  const admin = adminContext({
    store: deps.store,
    accounts,
    tokens,
    audit: deps.audit,
    clock: deps.clock,
    forgetCached: () => authenticator.forgetCached(),
  });
  const signInService = new SignInService({
    signIn: deps.signIn,
    accounts,
    audit: deps.audit,
    clock: deps.clock,
    createOwnToken: (principal, ip, request) =>
      createOwnToken(admin, adminActor(principal, ip), { ...request, roles: undefined }),
  });
  const callers: CallerDeps = { accounts, tokens, fourEyes: () => readFourEyes(deps.store) };
  const authenticate = (request: FastifyRequest): Promise<Principal> => {
    let principal = authenticated.get(request);
    if (principal === undefined) {
      principal = authenticateOnce(request);
      authenticated.set(request, principal);
    }
    return principal;
  };
  const authenticateOnce = (request: FastifyRequest): Promise<Principal> => {
    const csrf = request.headers['x-csrf-token'];
    return authenticator.authenticate({
      authorization: request.headers.authorization,
      session: (request as { cookies?: Record<string, string | undefined> }).cookies?.[
        SESSION_COOKIE
      ],
      csrfToken: typeof csrf === 'string' ? csrf : undefined,
      method: request.method,
    });
  };
  const principals = new PrincipalDirectory(admin, (accountId) =>
    deps.signIn ? deps.signIn.sessions.revokeAccount(accountId) : Promise.resolve(0),
  );
  const accessScoped = async (request: FastifyRequest, action: Action, resource?: Resource) => {
    const principal = await authenticate(request);
    return { principal, scope: authorize(principal, action, resource) };
  };
  const alerts = deps.alerts ?? alertService({ ...deps, accounts });
  const reviews = new ReviewService({ ...deps, ids, alerts, accounts, tokens });
  return {
    ...deps,
    accounts,
    tokens,
    notificationSettings,
    deliveries,
    sources,
    admin,
    principals,
    alerts,
    rules: new RuleStore(deps.store, deps.clock),
    signInService,
    callers,
    authenticator,
    log: new LogReader(deps.store, deps.verifierKey),
    tiles: new LogTiles(deps.store),
    search: new EventSearch(deps.store),
    savedSearches: new SavedSearchService({ ...services, ids }),
    entryFlags: new EntryFlags(deps.sourceSettings),
    ingestKeys: new IngestKeyService({
      store: deps.store,
      clock: deps.clock,
      ...(deps.onIngestKeyCreated ? { onCreated: deps.onIngestKeyCreated } : {}),
      onRevoked: () => authenticator.forgetCached(),
    }),
    mappedAppend: new MappedAppend(deps.store, deps.sequencer),
    health: new HealthCheck(deps.store, deps.clock, deps.clockSync),
    reviews,
    reviewWork: new ReviewWork(reviews, principals),
    reports: new ReportService(deps.store),
    packs: new PackService(
      { store: deps.store, origin: deps.origin, clock: deps.clock },
      deps.audit,
      deps.verifyPage,
    ),
    gatewayCredentials: new GatewayCredentials({ ...services, ids, random: randomBytes }),
    gatewayGrants: new GatewayGrants({ ...services, ids, accounts }),
    gatewaySync: new GatewaySync({ ...services, accounts }),
    retention: new RetentionPolicyService(admin),
    holds: new LegalHoldService(admin),
    authenticate,
    accessScoped,
    access: async (request, action, resource) =>
      (await accessScoped(request, action, resource)).principal,
  };
}
