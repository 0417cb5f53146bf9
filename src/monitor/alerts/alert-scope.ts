import { inScope, type SourceScope } from '../../access/authorization/source-scope.js';
import type { AlertRecord } from './alert.js';

/** An alert as one reader may see it; `partial` when parts outside their sources were cut. */
export type ScopedAlert = AlertRecord & { partial: boolean };

/** Stands in for a description built from events the reader may not see. */
export const PARTIAL_DESCRIPTION =
  'This alert also covers sources outside your access; only the entries of your sources are listed, and the description, which counts or quotes the others, is withheld.';

/**
 * The alert cut to the reader's sources (docs/security.md, "Alerts that span sources"). A
 * reader of every source the alert names sees it whole. Anyone else sees only the sources
 * in their scope and those sources' seqs; the description (counts and values taken from
 * every triggering event) and the raise key (the last triggering seq) are withheld. The
 * group values stay: every triggering event carries them, the reader's own included. An
 * alert stored before seqs were kept per source shows no seqs to such a reader (fail closed).
 */
export function alertForScope(alert: AlertRecord, scope: SourceScope): ScopedAlert {
  if (scope.all) return { ...alert, partial: false };
  const sources = alert.sources.filter((s) => inScope(scope, s));
  if (sources.length === alert.sources.length) return { ...alert, partial: false };
  const bySource = alert.seqsBySource;
  const seqs = bySource ? sources.flatMap((s) => bySource[s] ?? []).sort((a, b) => a - b) : [];
  const { seqsBySource: _all, ...rest } = alert;
  return {
    ...rest,
    key: '',
    description: PARTIAL_DESCRIPTION,
    sources,
    seqs,
    seqCount: seqs.length,
    partial: true,
  };
}
