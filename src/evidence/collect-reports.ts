import type { Store } from '../store/store.js';
import { REPORTS, type ReportName } from './pack-layout.js';
import { newBuilder } from './report-service.js';
import { type Activity, ActivityCounter } from './reports/activity-report.js';
import type { LeafRecord, ReportBuilder } from './reports/period-event.js';

const PAGE = 1000;

export interface CollectedReports {
  builders: Record<ReportName, ReportBuilder<unknown>>;
  /** Seqs the reports cite, ascending, each once. */
  cited: number[];
  /** Their stored records (canonical text), by seq. */
  records: Map<number, string>;
  events: number;
  /** Events per bucket of the period, for the PDFs' charts. */
  activity: Activity;
}

/** Feeds the events of seqs [start, end) to every report, a page at a time. */
export async function collectReports(
  store: Pick<Store, 'entries'>,
  start: number,
  end: number,
  period: { fromMs: number; toMs: number },
  /** Server time of the reports' checkpoint: reviews past due by then are missed. */
  asOfMs: number,
  progress: (done: number, total: number) => void,
): Promise<CollectedReports> {
  const activity = new ActivityCounter(period.fromMs, period.toMs);
  const builders = Object.fromEntries(
    REPORTS.map((name) => [name, newBuilder(name, asOfMs)]),
  ) as Record<ReportName, ReportBuilder<unknown>>;
  const all = Object.values(builders) as ReportBuilder<unknown>[];
  const records = new Map<number, string>();
  for (let from = start; from < end; from += PAGE) {
    const page = await store.entries(from, Math.min(end, from + PAGE));
    for (const entry of page) {
      const record = JSON.parse(entry.record) as LeafRecord;
      const event = {
        seq: entry.seq,
        timeMs: entry.timeMs,
        receivedAtMs: entry.receivedAtMs,
        source: entry.source,
        record,
      };
      // Every report sees every event; one that any of them cites is carried with its proof.
      activity.add(event);
      let cited = false;
      for (const b of all) cited = b.add(event) || cited;
      if (cited) records.set(entry.seq, entry.record);
    }
    progress(Math.min(end, from + PAGE) - start, end - start);
  }
  const cited = [...records.keys()].sort((a, b) => a - b);
  return {
    builders,
    cited,
    records,
    events: Math.max(0, end - start),
    activity: activity.result(),
  };
}
