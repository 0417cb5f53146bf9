/**
 * What an evidence pack holds: its file names, and the ISO 27001:2022 Annex A controls each
 * file evidences. Shared by `evident pack create`, `evident pack verify` and verify.html.
 */

export const PACK_FORMAT = 'evident-evidence-pack/v1';

/** The action of the event that notarises a pack in the log it was cut from. */
export const PACK_NOTARISE_ACTION = 'evidence_pack.create';

/** Bound by the notarisation event (it carries this file's SHA-256). */
export const MANIFEST_FILE = 'manifest.json';

/**
 * Files that depend on the checkpoint the pack is cut at, which exists only after the
 * notarisation is appended: the manifest cannot list them. Each is checked cryptographically
 * instead (a signature, Merkle proofs), and written in canonical form so no byte is free.
 */
export const CHECKPOINT_FILE = 'checkpoint.txt';
export const NOTARISATION_FILE = 'notarisation.json';
export const PROOFS_FILE = 'proofs.json';
export const SEAL_FILES = [CHECKPOINT_FILE, NOTARISATION_FILE, PROOFS_FILE] as const;

/** Files the manifest lists (with their SHA-256). */
export const KEYS_FILE = 'keys.json';
export const EVENTS_FILE = 'events.ndjson';
export const SINCE_FILE = 'since-checkpoint.txt';
export const VERIFY_PAGE_FILE = 'verify.html';
export const REPORTS = [
  'access',
  'access-changes',
  'alert-handling',
  'coverage',
  'reviews',
] as const;
export type ReportName = (typeof REPORTS)[number];

/** A report's files: JSON (for machines), CSV (for spreadsheets), PDF (to print). */
export function reportFiles(name: ReportName): [string, string, string] {
  return [`report-${name}.json`, `report-${name}.csv`, `report-${name}.pdf`];
}

/** The proof of the log's integrity itself: every control rests on it. */
const INTEGRITY = [KEYS_FILE, CHECKPOINT_FILE, NOTARISATION_FILE, PROOFS_FILE];

export interface ControlDefinition {
  id: string;
  title: string;
  /** How the pack evidences it, in a sentence for the auditor. */
  evidence: string;
  files: string[];
}

/** ISO/IEC 27001:2022 Annex A controls the pack evidences, each with its files. */
export function packControls(withSince: boolean): ControlDefinition[] {
  const since = withSince ? [SINCE_FILE] : [];
  return [
    {
      id: 'A.5.15',
      title: 'Access control',
      evidence: 'who accessed what in the period, and every change to who may access',
      files: [...reportFiles('access'), ...reportFiles('access-changes'), EVENTS_FILE],
    },
    {
      id: 'A.5.16',
      title: 'Identity management',
      evidence: 'principals created, changed, disabled and enabled, as events with proofs',
      files: [...reportFiles('access-changes'), EVENTS_FILE],
    },
    {
      id: 'A.5.18',
      title: 'Access rights',
      evidence:
        'role grants and revocations, four-eyes approvals and tokens, and the access reviews signed off, with proofs',
      files: [...reportFiles('access-changes'), ...reportFiles('reviews'), EVENTS_FILE],
    },
    {
      id: 'A.8.2',
      title: 'Privileged access rights',
      evidence: 'grants of roles (admin among them) and their approvals; what each actor did',
      files: [...reportFiles('access-changes'), ...reportFiles('access'), EVENTS_FILE],
    },
    {
      id: 'A.8.5',
      title: 'Secure authentication',
      evidence: 'successful, failed and denied actions per actor; alerts on failed sign-ins',
      files: [...reportFiles('access'), ...reportFiles('alert-handling')],
    },
    {
      id: 'A.8.15',
      title: 'Logging',
      evidence:
        'a signed checkpoint of the append-only log, its key history, proofs that the cited events are in it and that it extends earlier checkpoints',
      files: [...INTEGRITY, ...since, ...reportFiles('coverage'), ...reportFiles('reviews')],
    },
    {
      id: 'A.8.16',
      title: 'Monitoring activities',
      evidence:
        'alerts raised and handled (by rule and disposition, MTTA/MTTR), silent sources, log reviews done, late and missed',
      files: [
        ...reportFiles('alert-handling'),
        ...reportFiles('coverage'),
        ...reportFiles('reviews'),
        EVENTS_FILE,
      ],
    },
    {
      id: 'A.8.17',
      title: 'Clock synchronisation',
      evidence:
        "each source's clock skew against the server's received_at, and the server clock's sync state (clock.sync events), as the log has it",
      files: [...reportFiles('coverage')],
    },
  ];
}
