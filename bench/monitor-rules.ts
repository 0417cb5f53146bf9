/**
 * The 50 rules of the monitoring benchmark, written against the shapes of bench/fixtures.ts
 * so they do real work on every event: 20 plain matches (equality, lists, prefixes, numbers,
 * a regex), 12 thresholds (counts and distinct counts per actor or target type), 8 sequences,
 * 3 new-value rules (a new /24 per actor, a new action per actor, a new target type per
 * service), 7 calendar and time-of-day rules. Windows fill and several rules fire; each rule
 * raises at most once an hour (suppression per source), so the figure is rule evaluation,
 * not alert handling, which has its own tests. The pack is switched off so exactly these 50
 * are active.
 */
import { SERVICES } from './fixtures.js';

export const MONITOR_RULE_COUNT = 50;
/** One more rule, matching only a marker event: how long its alert takes shows the lag. */
export const MARKER_RULE = 'bench.marker';
export const MARKER_ACTION = 'bench.marker';

const ACTIONS = [
  'customer.read',
  'customer.update',
  'customer.export',
  'invoice.read',
  'invoice.refund',
  'document.read',
  'document.share',
  'document.delete',
  'user.login',
  'user.role_change',
];
const ONCE_AN_HOUR = '    suppress: { window: 1h, group_by: [source] }\n';

export function benchRulesYaml(): string {
  const rules: string[] = [];
  const rule = (id: string, severity: string, body: string) =>
    rules.push(
      `  - id: bench.${id}\n    title: Bench ${id}\n    severity: ${severity}\n${body}${ONCE_AN_HOUR}`,
    );
  const match = (id: string, conditions: string) =>
    rule(id, 'low', `    match:\n${conditions.replace(/^/gm, '      ')}\n`);

  // 20 plain matches.
  for (const action of ACTIONS) {
    match(`denied-${action}`, `action: ${action}\noutcome: denied\nrequest.status: { gte: 400 }`);
  }
  match('svc-denied', `actor.id: { in: [${SERVICES.join(', ')}] }\noutcome: denied`);
  match('ticket-delete', `action: document.delete\nreason: { regex: "^ticket SUP-9[0-9]{4}$" }`);
  match('refund-many-rows', 'action: invoice.refund\ndetails.rows: { gt: 45 }');
  match('role-change', 'action: user.role_change\noutcome: success');
  match('svc-delete', 'action: document.delete\nactor.type: service');
  match('export-traced', 'action: customer.export\ntrace_id: { exists: true }');
  match('share-fields', 'action: { prefix: document. }\ndetails.fields: { exists: true }');
  match('login-denied', 'action: { suffix: .login }\noutcome: denied');
  match('update-untraced', 'action: customer.update\ntrace_id: { exists: false }');
  match('internal-write', 'target.sensitivity: internal\naction: { suffix: .role_change }');

  // 12 thresholds.
  ACTIONS.forEach((action, i) => {
    rule(
      `many-${action}`,
      'medium',
      `    match: { action: ${action} }\n    threshold: { count: ${20 + i * 5}, window: 5m, group_by: [actor.id] }\n`,
    );
  });
  rule(
    'distinct-customers',
    'high',
    '    match: { action: { prefix: customer. }, outcome: success }\n    threshold: { count: 200, distinct: target.id, window: 10m, group_by: [actor.id] }\n',
  );
  rule(
    'distinct-actors-denied',
    'high',
    '    match: { outcome: denied }\n    threshold: { count: 300, distinct: actor.id, window: 1m, group_by: [target.type] }\n',
  );

  // 8 sequences: an action denied twice, then another one succeeding, by the same actor.
  for (let i = 0; i < 8; i++) {
    const a = ACTIONS[i]!;
    const b = ACTIONS[(i + 3) % ACTIONS.length]!;
    rule(
      `then-${i}`,
      'low',
      `    sequence:\n      window: 2m\n      steps:\n        - match: { action: ${a}, outcome: denied }\n          count: 2\n        - match: { action: ${b}, outcome: success }\n`,
    );
  }

  // 3 new values.
  const newValue = (id: string, conditions: string, field: string, network: boolean) =>
    rule(
      id,
      'medium',
      `    match: ${conditions}\n    new_value: { field: ${field}, network: ${network}, group_by: [actor.id], learning: 1h, max_values: 200 }\n`,
    );
  newValue('new-network', '{ actor.ip: { exists: true } }', 'actor.ip', true);
  newValue('new-action', '{ outcome: success }', 'action', false);
  newValue('svc-target-type', '{ actor.type: service }', 'target.type', false);

  // 7 with time: a working-hours calendar and times of day.
  for (let i = 0; i < 4; i++) {
    match(
      `off-hours-${i}`,
      `target.sensitivity: restricted\naction: ${ACTIONS[i * 2]}\nactor.type: service\noff_hours: office`,
    );
  }
  for (const [i, verb] of ['export', 'delete', 'refund'].entries()) {
    match(
      `night-${i}`,
      `action: { suffix: .${verb} }\ntime_of_day: { from: "23:00", to: "05:00", time_zone: Europe/Berlin }`,
    );
  }
  if (rules.length !== MONITOR_RULE_COUNT) {
    throw new Error(`bench rules: made ${rules.length}, want ${MONITOR_RULE_COUNT}`);
  }
  rules.push(
    `  - id: ${MARKER_RULE}\n    title: Marker\n    severity: low\n    match: { action: ${MARKER_ACTION} }\n`,
  );
  return `packs: { iso27001: false }
calendars:
  office: { time_zone: Europe/Berlin, days: [mon, tue, wed, thu, fri], hours: "08:00-18:00" }
rules:
${rules.join('')}`;
}
