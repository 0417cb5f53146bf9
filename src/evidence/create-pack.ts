/**
 * Builds an evidence pack. The order matters (docs/evidence-pack.md, "How a pack is cut"):
 * 1. read the head: every report is computed from the events of the period in that tree;
 * 2. write the reports, the cited events, the key history, the --since checkpoint and
 *    verify.html, and the manifest listing each with its SHA-256;
 * 3. append `evidence_pack.create` carrying the manifest's SHA-256 (through the self-audit);
 * 4. read the head again: that checkpoint includes the notarisation, and the pack is cut at
 *    it: the notarisation's inclusion proof, every cited event's, and consistency proofs
 *    from the reports' tree and from --since are all taken against it.
 * The manifest cannot list what step 4 makes (it did not exist when the log notarised the
 * manifest): those seal files are checked by signature and proofs instead.
 */
import { toBase64, toHex, utf8 } from '../core/bytes.js';
import type { Checkpoint } from '../core/checkpoint.js';
import { sha256 } from '../core/hash.js';
import { keyHistoryToJson, type LogKeyPeriod, openLogCheckpoint } from '../core/key-history.js';
import { verifyConsistency } from '../core/proof.js';
import type { OpenLog } from '../log/open-log.js';
import { consistencyProof, inclusionProof, inclusionProofs } from '../log/proofs.js';
import type { SelfAuditEvent } from '../log/self-audit.js';
import { readKeyHistory } from '../log/stored-key-history.js';
import type { LogHead } from '../store/store.js';
import { collectReports } from './collect-reports.js';
import {
  CHECKPOINT_FILE,
  EVENTS_FILE,
  KEYS_FILE,
  MANIFEST_FILE,
  NOTARISATION_FILE,
  PACK_FORMAT,
  PACK_NOTARISE_ACTION,
  PROOFS_FILE,
  packControls,
  REPORTS,
  reportFiles,
  SINCE_FILE,
  VERIFY_PAGE_FILE,
} from './pack-layout.js';
import type { PackManifest, TreeHead } from './pack-manifest.js';
import type { PackPeriod } from './pack-period.js';
import { reportPdf } from './pdf/report-pdf.js';
import { basisRow, type ReportHeading } from './report-service.js';
import { sealText } from './seal-files.js';

/** Proofs fetched per batched read (they share most of their nodes). */
const PROOF_BATCH = 1000;

export interface CreatePackOptions {
  period: PackPeriod;
  /** The signed checkpoint the auditor kept (--since), as text. */
  since?: string;
  verifyPage: Uint8Array;
  progress?: (stage: string, done: number, total: number) => void;
  /**
   * Witness cosigning (`pack create --witness-policy`): resolves with a checkpoint of size ≥
   * minSize carrying the policy's cosignatures (the signed note and its cosignature lines);
   * the pack is then cut at that checkpoint instead of the head.
   */
  witness?: (minSize: number) => Promise<{ size: number; note: string }>;
}

export interface CreatedPack {
  files: Map<string, Uint8Array>;
  manifestSha256: string;
  notarisationSeq: number;
  checkpointSize: number;
  reportsTreeSize: number;
  events: number;
  cited: number;
  createdAtMs: number;
}

export async function createEvidencePack(
  log: Pick<OpenLog, 'store' | 'origin' | 'clock'>,
  audit: (event: Omit<SelfAuditEvent, 'principal'>) => Promise<number>,
  options: CreatePackOptions,
): Promise<CreatedPack> {
  const { store } = log;
  const progress = options.progress ?? (() => {});
  const head = await mustHead(log);
  const history = await readKeyHistory(store);
  const since = options.since === undefined ? undefined : keptCheckpoint(options.since, history);
  if (since && since.size > head.size)
    throw new Error(
      `the --since checkpoint has ${since.size} entries, more than this log's ${head.size}: it is not from this log, or the log was rolled back`,
    );

  if (since && since.size > 0 && since.size < head.size) {
    // Refuse before notarising anything: a pack must not claim a log that forked from it.
    const proof = await consistencyProof(store, since.size, head.size);
    try {
      verifyConsistency(since.size, head.size, proof, since.rootHash, head.rootHash);
    } catch {
      throw new Error(
        `this log does NOT extend the --since checkpoint of size ${since.size}: its history was rewritten`,
      );
    }
  }

  // 1. The period's events in the tree the reports are computed from.
  const { period } = options;
  const start = await store.firstSeqReceivedAtOrAfter(period.fromMs);
  const end = Math.min(head.size, await store.firstSeqReceivedAtOrAfter(period.toMs));
  const collected = await collectReports(
    store,
    start,
    Math.max(start, end),
    period,
    head.lastReceivedAtMs,
    (done, total) => progress('reading events', done, total),
  );

  // 2. The files the manifest vouches for.
  const createdAtMs = log.clock.now();
  const asOf: TreeHead = { tree_size: head.size, root_hash: toBase64(head.rootHash) };
  const periodText = {
    from: new Date(period.fromMs).toISOString(),
    to: new Date(period.toMs).toISOString(),
    basis: 'received_at' as const,
  };
  const files = new Map<string, Uint8Array>();
  for (const name of REPORTS) {
    const builder = collected.builders[name];
    const [jsonName, csvName, pdfName] = reportFiles(name);
    const body = builder.result() as Record<string, unknown>;
    const report = { report: name, period: periodText, as_of: asOf, ...body };
    files.set(jsonName, utf8(`${JSON.stringify(report, null, 2)}\n`));
    // The CSV states its basis in a last row, as `evident export` does with its trailer.
    files.set(csvName, utf8(builder.csv() + basisRow({ as_of: asOf, period: periodText })));
    const heading: ReportHeading = {
      report: name,
      period: { ...periodText, first_seq: start, end_seq: Math.max(start, end) },
      as_of: { ...asOf, checkpoint: head.checkpoint.note },
      filters: {},
      scope: ['*'],
      events: collected.events,
    };
    files.set(
      pdfName,
      await reportPdf({ heading, body, activity: collected.activity }, createdAtMs),
    );
    progress('printing reports', REPORTS.indexOf(name) + 1, REPORTS.length);
  }
  files.set(
    EVENTS_FILE,
    utf8(
      collected.cited
        .map((seq) => `{"seq":${seq},"record":${collected.records.get(seq)}}\n`)
        .join(''),
    ),
  );
  files.set(KEYS_FILE, utf8(`${JSON.stringify(await keysDocument(log, history), null, 2)}\n`));
  if (options.since !== undefined) files.set(SINCE_FILE, utf8(options.since));
  files.set(VERIFY_PAGE_FILE, options.verifyPage);

  const manifest: PackManifest = {
    format: PACK_FORMAT,
    origin: log.origin,
    created_at: new Date(createdAtMs).toISOString(),
    period: { ...periodText, first_seq: start, end_seq: Math.max(start, end) },
    reports_as_of: asOf,
    since: since ? { tree_size: since.size, root_hash: toBase64(since.rootHash) } : null,
    files: [...files].map(([name, bytes]) => ({
      name,
      sha256: toHex(sha256(bytes)),
      bytes: bytes.byteLength,
    })),
    controls: packControls(since !== undefined),
  };
  const manifestBytes = utf8(`${JSON.stringify(manifest, null, 2)}\n`);
  const manifestSha256 = toHex(sha256(manifestBytes));

  // 3. The log notarises the manifest.
  const seq = await audit({
    action: PACK_NOTARISE_ACTION,
    target: { type: 'evidence_pack', id: manifestSha256 },
    category: 'audit',
    details: {
      manifest_sha256: manifestSha256,
      period_from: periodText.from,
      period_to: periodText.to,
      reports_tree_size: head.size,
      files: manifest.files.length,
      cited_events: collected.cited.length,
    },
  });

  // 4. Cut at a checkpoint that includes the notarisation; every proof against it. With
  // witnesses, the first one they cosigned: checkpoint.txt then carries their lines.
  const cut = options.witness
    ? await options.witness(seq + 1)
    : await mustHead(log).then((h) => ({ size: h.size, note: h.checkpoint.note }));
  const notarised = await store.entryBySeq(seq);
  if (!notarised || cut.size <= seq) throw new Error('the notarisation event is not in the log');
  const notarisation = {
    seq,
    tree_size: cut.size,
    record: JSON.parse(notarised.record) as Record<string, unknown>,
    inclusion: b64(await inclusionProof(store, seq, cut.size)),
  };
  const events: { seq: number; inclusion: string[] }[] = [];
  for (let i = 0; i < collected.cited.length; i += PROOF_BATCH) {
    const seqs = collected.cited.slice(i, i + PROOF_BATCH);
    const proofs = await inclusionProofs(store, seqs, cut.size);
    for (const [j, s] of seqs.entries()) events.push({ seq: s, inclusion: b64(proofs[j]!) });
    progress(
      'proving cited events',
      Math.min(collected.cited.length, i + PROOF_BATCH),
      collected.cited.length,
    );
  }
  const consistency = async (size: number) =>
    size === 0 || size === cut.size ? [] : b64(await consistencyProof(store, size, cut.size));
  const proofs = {
    tree_size: cut.size,
    reports: await consistency(head.size),
    since: since ? await consistency(since.size) : null,
    events,
  };

  const pack = new Map<string, Uint8Array>([[MANIFEST_FILE, manifestBytes], ...files]);
  pack.set(CHECKPOINT_FILE, utf8(cut.note));
  pack.set(NOTARISATION_FILE, utf8(sealText(notarisation)));
  pack.set(PROOFS_FILE, utf8(sealText(proofs)));
  return {
    files: pack,
    manifestSha256,
    notarisationSeq: seq,
    checkpointSize: cut.size,
    reportsTreeSize: head.size,
    events: collected.events,
    cited: collected.cited.length,
    createdAtMs,
  };
}

async function mustHead(log: Pick<OpenLog, 'store'>): Promise<LogHead> {
  const head = await log.store.head();
  if (!head) throw new Error('the log has no checkpoint yet');
  return head;
}

/** keys.json: the same document as GET /api/v1/log/keys (handover checkpoints included). */
async function keysDocument(
  log: Pick<OpenLog, 'store' | 'origin'>,
  history: Awaited<ReturnType<typeof readKeyHistory>>,
) {
  const keys = await Promise.all(
    keyHistoryToJson(history).map(async (key, i) => ({
      ...key,
      handover_checkpoint:
        i === 0 ? null : ((await log.store.checkpoint(key.from_size))?.note ?? null),
    })),
  );
  return { origin: log.origin, current: history.at(-1)!.verifierKey, keys };
}

/** The auditor's --since checkpoint: it must be signed by this log's key for its size. */
function keptCheckpoint(note: string, history: LogKeyPeriod[]): Checkpoint {
  try {
    return openLogCheckpoint(note, history).checkpoint;
  } catch (error) {
    throw new Error(`the --since checkpoint is not one of this log's: ${(error as Error).message}`);
  }
}

function b64(hashes: Uint8Array[]): string[] {
  return hashes.map(toBase64);
}
