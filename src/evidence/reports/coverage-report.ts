import { DEFAULT_MAX_CLOCK_SKEW_MS } from '../../monitor/sources/skew-flags.js';
import { csvLine } from '../../util/csv.js';
import type { PeriodEvent, ReportBuilder } from './period-event.js';

export interface SourceCoverage {
  source: string;
  events: number;
  first_received_at: string;
  last_received_at: string;
  /** Declared backfills: their skew is expected and not counted. */
  historical: number;
  /** Largest |received_at − time| among the other events. */
  max_abs_skew_ms: number;
  /** Events whose skew is over the server's default limit (EVIDENT_MAX_CLOCK_SKEW). */
  skewed: number;
  silences: number;
}

export interface SilenceRow {
  seq: number;
  source: string;
  action: 'source.silent' | 'source.recovered';
  received_at: string;
  silent_since: string | null;
  alert_id: string | null;
}

/** One `clock.sync` event: the server's own clock as the server saw it (ISO 27001 A.8.17). */
export interface ClockObservation {
  seq: number;
  received_at: string;
  synchronized: boolean | null;
  method: string;
  reason: string | null;
}

export interface Coverage {
  skew_limit_ms: number;
  sources: SourceCoverage[];
  silences: SilenceRow[];
  /**
   * The server clock's sync state: every `clock.sync` event of the period (the server
   * records one at start and at each change), and how many said it was not synchronised.
   */
  server_clock: {
    observations: ClockObservation[];
    unsynchronized: number;
    unknown: number;
  };
}

/**
 * Coverage as far as the log has it: which sources sent events, their silences (the
 * monitor's `source.silent`/`source.recovered` events) and their clocks' skew against the
 * server's received_at; and the server's own clock sync state from its `clock.sync` events.
 */
export class CoverageReport implements ReportBuilder<Coverage> {
  private readonly sources = new Map<string, SourceCoverage>();
  private readonly silences: SilenceRow[] = [];
  private readonly clock: ClockObservation[] = [];

  add(e: PeriodEvent): boolean {
    const r = e.record;
    let s = this.sources.get(e.source);
    if (!s) {
      s = {
        source: e.source,
        events: 0,
        first_received_at: r.received_at,
        last_received_at: r.received_at,
        historical: 0,
        max_abs_skew_ms: 0,
        skewed: 0,
        silences: 0,
      };
      this.sources.set(e.source, s);
    }
    s.events++;
    s.last_received_at = r.received_at;
    if (r.historical === true) s.historical++;
    else {
      const skew = Math.abs(e.receivedAtMs - e.timeMs);
      if (skew > s.max_abs_skew_ms) s.max_abs_skew_ms = skew;
      if (skew > DEFAULT_MAX_CLOCK_SKEW_MS) s.skewed++;
    }
    if (e.source === 'evident' && r.action === 'clock.sync') {
      const d = r.details ?? {};
      this.clock.push({
        seq: e.seq,
        received_at: r.received_at,
        synchronized: typeof d.synchronized === 'boolean' ? d.synchronized : null,
        method: typeof d.method === 'string' ? d.method : 'none',
        reason: typeof d.reason === 'string' ? d.reason : null,
      });
      return true;
    }
    if (
      e.source === 'evident' &&
      (r.action === 'source.silent' || r.action === 'source.recovered')
    ) {
      const d = r.details ?? {};
      this.silences.push({
        seq: e.seq,
        source: r.target?.id ?? '',
        action: r.action,
        received_at: r.received_at,
        silent_since: typeof d.silent_since === 'string' ? d.silent_since : null,
        alert_id: typeof d.alert_id === 'string' ? d.alert_id : null,
      });
      return true;
    }
    return false;
  }

  result(): Coverage {
    const sources = [...this.sources.values()].sort((a, b) => a.source.localeCompare(b.source));
    for (const s of sources)
      s.silences = this.silences.filter(
        (x) => x.source === s.source && x.action === 'source.silent',
      ).length;
    return {
      skew_limit_ms: DEFAULT_MAX_CLOCK_SKEW_MS,
      sources,
      silences: this.silences,
      server_clock: {
        observations: this.clock,
        unsynchronized: this.clock.filter((c) => c.synchronized === false).length,
        unknown: this.clock.filter((c) => c.synchronized === null).length,
      },
    };
  }

  csv(): string {
    return (
      csvLine([
        'source',
        'events',
        'first_received_at',
        'last_received_at',
        'historical',
        'max_abs_skew_ms',
        'skewed',
        'silences',
      ]) +
      this.result()
        .sources.map((s) =>
          csvLine([
            s.source,
            s.events,
            s.first_received_at,
            s.last_received_at,
            s.historical,
            s.max_abs_skew_ms,
            s.skewed,
            s.silences,
          ]),
        )
        .join('')
    );
  }
}
