import type { AlertTally } from '../../store/tables/alerts/alerts-table.js';
import {
  ALERT_SEVERITIES,
  type AlertSeverity,
  type AlertState,
  DISPOSITIONS,
  type Disposition,
} from '../types.js';

export interface ResponseTimes {
  alerts: number;
  byState: Record<AlertState, number>;
  /** Alerts with a first response (acknowledged, or resolved straight from open). */
  acknowledged: number;
  meanTimeToAcknowledgeMs: number | null;
  /** Over the alerts resolved now (a reopened alert counts again once resolved again). */
  meanTimeToResolveMs: number | null;
}

export interface AlertMetrics {
  overall: ResponseTimes;
  bySeverity: Record<AlertSeverity, ResponseTimes>;
  dispositions: Record<Disposition, number>;
}

/**
 * Mean time to acknowledge (raise → first response) and to resolve (raise → resolution),
 * overall and per severity, from the per-(severity, state, disposition) sums the alert
 * tables compute. Alerts still waiting are counted by state and left out of the means, which
 * therefore describe handled alerts only.
 */
export function metricsFromTallies(tallies: readonly AlertTally[]): AlertMetrics {
  const overall = new Accumulator();
  const bySeverity = new Map(ALERT_SEVERITIES.map((s) => [s, new Accumulator()]));
  const dispositions = Object.fromEntries(DISPOSITIONS.map((d) => [d, 0])) as Record<
    Disposition,
    number
  >;
  for (const tally of tallies) {
    overall.add(tally);
    bySeverity.get(tally.severity as AlertSeverity)?.add(tally);
    // Only a resolved alert keeps its disposition (reopening clears it).
    if (tally.disposition !== null && Object.hasOwn(dispositions, tally.disposition)) {
      dispositions[tally.disposition as Disposition] += tally.alerts;
    }
  }
  return {
    overall: overall.result(),
    bySeverity: Object.fromEntries(
      ALERT_SEVERITIES.map((s) => [s, bySeverity.get(s)!.result()]),
    ) as Record<AlertSeverity, ResponseTimes>,
    dispositions,
  };
}

class Accumulator {
  private alerts = 0;
  private readonly byState: Record<AlertState, number> = { open: 0, acknowledged: 0, resolved: 0 };
  private acknowledged = 0;
  private ackTotalMs = 0;
  private resolved = 0;
  private resolveTotalMs = 0;

  add(tally: AlertTally): void {
    this.alerts += tally.alerts;
    if (Object.hasOwn(this.byState, tally.state))
      this.byState[tally.state as AlertState] += tally.alerts;
    this.acknowledged += tally.acknowledged;
    this.ackTotalMs += tally.ackTotalMs;
    this.resolved += tally.resolved;
    this.resolveTotalMs += tally.resolveTotalMs;
  }

  result(): ResponseTimes {
    const mean = (total: number, n: number) => (n === 0 ? null : Math.round(total / n));
    return {
      alerts: this.alerts,
      byState: { ...this.byState },
      acknowledged: this.acknowledged,
      meanTimeToAcknowledgeMs: mean(this.ackTotalMs, this.acknowledged),
      meanTimeToResolveMs: mean(this.resolveTotalMs, this.resolved),
    };
  }
}
