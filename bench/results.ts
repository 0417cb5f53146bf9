/** Everything one `npm run bench` measured; report.ts renders it, nothing else edits it. */

import type { CoreCostResult } from './core-cost.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { FillResult } from './fill.js';
import type { FloorResult } from './http-floor.js';
import type { IngestRun, SingleResults } from './http-ingest.js';
import type { CpuShare, MachineInfo } from './machine.js';
import type { ProofResult } from './proofs.js';
import type { ReadFloorResult } from './read-floor.js';
import type { SearchResult } from './search.js';
import type { ServerMode } from './server.js';
import type { CommitFloor, RawInsertResult } from './sqlite-limit.js';
import type { VerifyResult } from './verify.js';
import type { RemoteVerifyResult } from './verify-remote.js';

export interface RunResults {
  startedAt: string;
  command: string;
  entries: number;
  secondsPerHttpScenario: number;
  batchClients: number;
  serverMode: ServerMode;
  machine: MachineInfo;
  durationSeconds: number;
  /** CPU used by other processes on the machine during each phase, in cores. */
  background: Record<string, CpuShare>;

  coreCost: CoreCostResult;
  commitFloor: CommitFloor;
  /** The same, measured again after the HTTP scenarios (the disk is shared). */
  commitFloorLater: CommitFloor;
  /** GET /api/v1/log from one client: the HTTP read path without a self-audit append. */
  readFloorHttp: ReadFloorResult;
  /**
   * The same in the first seconds after that server started, before any read path had run
   * (absent in results from before it was measured; readFloorHttp then had no warm-up).
   */
  readFloorHttpCold?: ReadFloorResult;
  sqliteLimit: RawInsertResult;
  /** Raw inserts in transactions as large as Evident's mean group commit per scenario. */
  rawAtGroupSize: { batch: RawInsertResult; single: RawInsertResult };
  fill: Omit<FillResult, 'ingestAuthorization'>;
  verify: VerifyResult;
  /** `verify --url` on the same log (absent in results from before it was measured). */
  verifyRemote?: RemoteVerifyResult;
  searchStore: SearchResult[];
  proofsStore: ProofResult;
  searchHttp: SearchResult[];
  proofsHttp: ProofResult;
  batch: IngestRun;
  single: SingleResults;
  floor: FloorResult;
  /** Only with BENCH_PROFILE=1: the server's CPU profile per phase. */
  profiles?: Record<string, ProfileSummary>;
}

/** The targets for this 2-core machine, and the bench's own where the issue sets none. */
export const TARGETS = {
  batchEventsPerSecond: 25_000,
  singleRequestsPerSecond: 8_000,
  /** Single-event requests/s over the bare Fastify floor measured in the same run. */
  singleShareOfFloor: 0.6,
  halfLoadAckP99Ms: 25,
  batchShareOfRawLimit: 0.6,
  searchP99Ms: 5,
  /** The bench's own: the issue sets no store-level proof figure. */
  proofStoreP99Ms: 2,
  proofHttpP99Ms: 3,
  /** GET /api/v1/log: authenticated, no self-audit append. */
  unauditedReadP99Ms: 1,
  verifyEntriesPerSecond: 100_000,
} as const;
