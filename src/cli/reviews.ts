import { type Command, InvalidArgumentError, Option } from 'commander';
import { ApiError } from '../client/api-client.js';
import { type ApiOptions, apiClient, jsonBody, withApiOptions } from './api-command.js';
import { collectRole, ROLE_HELP } from './principals.js';

/** An occurrence as /api/v1/reviews/occurrences returns it (the fields the CLI shows). */
interface OccurrenceView {
  id: string;
  name: string;
  kind: string;
  period_start: string;
  period_end: string;
  due_at: string;
  status: string;
  overdue: boolean;
  late: boolean;
  pin: {
    tree_size: number;
    root_hash: string;
    items_sha256: string | null;
    item_count: number;
    snapshot_sha256: string | null;
  } | null;
  sign_off: { by: string; at: string; decision: string; notes: string; event_id: string } | null;
  countersign_required: boolean;
  countersign: { by: string; at: string } | null;
  notes?: {
    kind: string;
    item: string;
    note: string;
    decision: string | null;
    by: string;
    at: string;
    alert_id: string | null;
  }[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const days = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 366)
    throw new InvalidArgumentError('a whole number of days, 1–366');
  return n;
};
const decision = new Option('--decision <decision>', 'no_findings or findings')
  .choices(['no_findings', 'findings'])
  .makeOptionMandatory();
const occurrencePath = (id: string, step = '') =>
  `/api/v1/reviews/occurrences/${encodeURIComponent(id)}${step ? `/${step}` : ''}`;

interface DefineOptions extends ApiOptions {
  kind: string;
  cadence: string;
  timeZone?: string;
  source?: string[];
  action?: string;
  actionPrefix?: string;
  actor?: string;
  outcome?: string;
  targetType?: string;
  role?: string;
  reviewer: string[];
  dueDays: number;
  countersign?: boolean;
}

export function reviewsCommand(program: Command): void {
  const reviews = program
    .command('reviews')
    .description(
      'scheduled log and access reviews with sign-off (over the HTTP API; docs/reviews.md)',
    );

  withApiOptions(
    reviews
      .command('define')
      .description(
        'define a review, or replace the definition of that name (admin); applies to periods generated from now',
      )
      .argument('<name>', 'review name, e.g. weekly-privileged-access')
      .addOption(
        new Option('--kind <kind>', 'log: events; access: principals and their roles')
          .choices(['log', 'access'])
          .makeOptionMandatory(),
      )
      .addOption(
        new Option('--cadence <cadence>', 'how often')
          .choices(['daily', 'weekly', 'monthly', 'quarterly', 'yearly'])
          .makeOptionMandatory(),
      )
      .option('--time-zone <zone>', 'IANA time zone the periods follow (default UTC)')
      .option(
        '--source <pattern>',
        'log reviews: a source or pattern (billing-*, * for all; repeatable)',
        collect,
      )
      .option('--action <action>', 'log reviews: only this action')
      .option('--action-prefix <prefix>', 'log reviews: only actions starting with this')
      .option('--actor <id>', 'log reviews: only this actor.id')
      .option('--outcome <outcome>', 'log reviews: only this outcome')
      .option('--target-type <type>', 'log reviews: only this target.type')
      .option('--role <role>', 'access reviews: only principals holding this role')
      .requiredOption('--reviewer <who>', 'an account id, or role:reviewer (repeatable)', collect)
      .requiredOption('--due-days <n>', 'days after a period ends by which it is signed off', days)
      .option('--countersign', 'a second, different person countersigns'),
  ).action(async (name: string, opts: DefineOptions) => {
    const client = apiClient(opts);
    const filter = {
      ...(opts.action ? { action: opts.action } : {}),
      ...(opts.actionPrefix ? { action_prefix: opts.actionPrefix } : {}),
      ...(opts.actor ? { actor: opts.actor } : {}),
      ...(opts.outcome ? { outcome: opts.outcome } : {}),
      ...(opts.targetType ? { target_type: opts.targetType } : {}),
      ...(opts.role ? { role: opts.role } : {}),
    };
    const body = {
      name,
      kind: opts.kind,
      cadence: opts.cadence,
      ...(opts.timeZone ? { time_zone: opts.timeZone } : {}),
      ...(opts.source ? { sources: opts.source } : {}),
      ...(Object.keys(filter).length > 0 ? { filter } : {}),
      reviewers: opts.reviewer,
      due_days: opts.dueDays,
      countersign: opts.countersign ?? false,
    };
    const path = `/api/v1/reviews/${encodeURIComponent(name)}`;
    const exists = await client.getJson(path).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return false;
        throw error;
      },
    );
    const saved = exists
      ? await client.put<{ id: string; version: number }>(path, ...jsonBody(body))
      : await client.post<{ id: string; version: number }>('/api/v1/reviews', ...jsonBody(body));
    console.log(
      opts.json
        ? JSON.stringify(saved, null, 2)
        : `${exists ? 'Updated' : 'Defined'} review ${name} (${saved.id}, version ${saved.version}).`,
    );
  });

  withApiOptions(
    reviews.command('definitions').description('the review definitions you may see'),
  ).action(async (opts: ApiOptions) => {
    const { reviews: list } = await apiClient(opts).getJson<{ reviews: Record<string, unknown>[] }>(
      '/api/v1/reviews',
    );
    if (opts.json) return void console.log(JSON.stringify(list, null, 2));
    if (list.length === 0)
      return void console.log(
        'No reviews defined. Define one with `evident reviews define NAME …`.',
      );
    console.table(
      list.map((d) => ({
        name: d.name,
        kind: d.kind,
        cadence: d.cadence,
        time_zone: d.time_zone,
        due_days: d.due_days,
        version: d.version,
      })),
    );
  });

  withApiOptions(
    reviews
      .command('list')
      .description('review occurrences, newest period first (overdue ones flagged)')
      .option('--review <name>', 'only occurrences of this review')
      .addOption(
        new Option('--status <status>', 'only in this state').choices([
          'open',
          'in_progress',
          'awaiting_countersign',
          'signed_off',
        ]),
      ),
  ).action(async (opts: ApiOptions & { review?: string; status?: string }) => {
    const query = new URLSearchParams({
      ...(opts.review ? { definition: opts.review } : {}),
      ...(opts.status ? { status: opts.status } : {}),
    });
    const { occurrences } = await apiClient(opts).getJson<{ occurrences: OccurrenceView[] }>(
      `/api/v1/reviews/occurrences${query.size > 0 ? `?${query}` : ''}`,
    );
    if (opts.json) return void console.log(JSON.stringify(occurrences, null, 2));
    if (occurrences.length === 0)
      return void console.log('No review occurrences yet: one is generated when a period ends.');
    console.table(
      occurrences.map((o) => ({
        id: o.id,
        review: o.name,
        period: `${o.period_start.slice(0, 10)} – ${o.period_end.slice(0, 10)}`,
        due: o.due_at.slice(0, 16),
        status: o.status,
        overdue: o.overdue ? 'OVERDUE' : o.late ? 'late' : '',
      })),
    );
    const overdue = occurrences.filter((o) => o.overdue).length;
    if (overdue > 0) console.error(`${overdue} review(s) overdue.`);
  });

  withApiOptions(
    reviews
      .command('show')
      .description(
        'one occurrence: its pin, observations, decisions, sign-off (and with --items, its events)',
      )
      .argument('<id>', 'occurrence id')
      .option('--items', 'also list the events under review (log reviews)'),
  ).action(async (id: string, opts: ApiOptions & { items?: boolean }) => {
    const client = apiClient(opts);
    const o = await client.getJson<OccurrenceView>(occurrencePath(id));
    const items =
      opts.items && o.kind === 'log' && o.pin
        ? await client.getJson<{
            items: {
              seq: number;
              record: Record<string, unknown>;
              alerts: { id: string; title: string }[];
            }[];
          }>(`${occurrencePath(id, 'items')}?limit=500`)
        : undefined;
    if (opts.json)
      return void console.log(JSON.stringify(items ? { ...o, items: items.items } : o, null, 2));
    console.log(describe(o));
    for (const item of items?.items ?? []) {
      const r = item.record as {
        received_at?: string;
        source?: string;
        actor?: { id?: string };
        action?: string;
        outcome?: string;
      };
      const alerts = item.alerts.map((a) => ` [alert ${a.id}: ${a.title}]`).join('');
      console.log(
        `  seq:${item.seq}  ${r.received_at}  ${r.source}  ${r.actor?.id}  ${r.action}  ${r.outcome}${alerts}`,
      );
    }
  });

  withApiOptions(
    reviews
      .command('start')
      .description('start a review: pin it to the log’s current signed checkpoint')
      .argument('<id>', 'occurrence id'),
  ).action(async (id: string, opts: ApiOptions) => {
    const o = await apiClient(opts).post<OccurrenceView>(
      occurrencePath(id, 'start'),
      ...jsonBody({}),
    );
    console.log(opts.json ? JSON.stringify(o, null, 2) : describe(o));
  });

  withApiOptions(
    reviews
      .command('observe')
      .description(
        'note an observation on an item (seq:<n>, principal:<id>, token:<id>, or review)',
      )
      .argument('<id>', 'occurrence id')
      .requiredOption('--item <item>', 'the item: seq:<n>, principal:<id>, token:<id>, or review')
      .requiredOption('--note <text>', 'what you observed')
      .option('--open-alert', 'also open an alert citing the item'),
  ).action(
    async (id: string, opts: ApiOptions & { item: string; note: string; openAlert?: boolean }) => {
      const made = await apiClient(opts).post<{ id: string; alert_id: string | null }>(
        occurrencePath(id, 'observations'),
        ...jsonBody({
          item: opts.item,
          note: opts.note,
          ...(opts.openAlert ? { open_alert: true } : {}),
        }),
      );
      console.log(
        opts.json
          ? JSON.stringify(made, null, 2)
          : `Observation ${made.id} noted${made.alert_id ? `; alert ${made.alert_id} opened` : ''}.`,
      );
    },
  );

  withApiOptions(
    reviews
      .command('decide')
      .description(
        'access reviews: keep, revoke or change a principal’s roles (revoke/change need admin; four-eyes applies)',
      )
      .argument('<id>', 'occurrence id')
      .requiredOption('--principal <id>', 'the principal decided on')
      .addOption(
        new Option('--decision <decision>', 'keep, revoke or change')
          .choices(['keep', 'revoke', 'change'])
          .makeOptionMandatory(),
      )
      .option('--role <role>', `change: ${ROLE_HELP}`, collectRole)
      .requiredOption('--note <text>', 'why'),
  ).action(
    async (
      id: string,
      opts: ApiOptions & { principal: string; decision: string; role?: unknown[]; note: string },
    ) => {
      const made = await apiClient(opts).post<{ id: string; approval_id: string | null }>(
        occurrencePath(id, 'decisions'),
        ...jsonBody({
          item: `principal:${opts.principal}`,
          decision: opts.decision,
          ...(opts.role ? { roles: opts.role } : {}),
          note: opts.note,
        }),
      );
      console.log(
        opts.json
          ? JSON.stringify(made, null, 2)
          : `Decision ${made.id} recorded${made.approval_id ? `; it waits for a second admin (approval ${made.approval_id})` : ''}.`,
      );
    },
  );

  withApiOptions(
    reviews
      .command('sign-off')
      .description('sign a started review off (refused when it covers your own actions or grants)')
      .argument('<id>', 'occurrence id')
      .addOption(decision)
      .option('--notes <text>', 'what was found and done'),
  ).action(async (id: string, opts: ApiOptions & { decision: string; notes?: string }) => {
    const o = await apiClient(opts).post<OccurrenceView>(
      occurrencePath(id, 'sign-off'),
      ...jsonBody({ decision: opts.decision, ...(opts.notes ? { notes: opts.notes } : {}) }),
    );
    console.log(opts.json ? JSON.stringify(o, null, 2) : describe(o));
  });

  withApiOptions(
    reviews
      .command('countersign')
      .description('countersign a signed-off review (a different person)')
      .argument('<id>', 'occurrence id')
      .option('--notes <text>', 'remarks'),
  ).action(async (id: string, opts: ApiOptions & { notes?: string }) => {
    const o = await apiClient(opts).post<OccurrenceView>(
      occurrencePath(id, 'countersign'),
      ...jsonBody(opts.notes ? { notes: opts.notes } : {}),
    );
    console.log(opts.json ? JSON.stringify(o, null, 2) : describe(o));
  });

  withApiOptions(
    reviews
      .command('correct')
      .description('correct a signed-off review: a new event that refers to its sign-off')
      .argument('<id>', 'occurrence id')
      .addOption(decision)
      .requiredOption('--notes <text>', 'what the correction is'),
  ).action(async (id: string, opts: ApiOptions & { decision: string; notes: string }) => {
    const made = await apiClient(opts).post<{ id: string; event_id: string }>(
      occurrencePath(id, 'corrections'),
      ...jsonBody({ decision: opts.decision, notes: opts.notes }),
    );
    console.log(
      opts.json ? JSON.stringify(made, null, 2) : `Correction recorded (event ${made.event_id}).`,
    );
  });
}

function describe(o: OccurrenceView): string {
  const lines = [
    `${o.name} (${o.kind}) ${o.id}`,
    `  period   ${o.period_start} – ${o.period_end}`,
    `  due      ${o.due_at}${o.overdue ? '  OVERDUE' : o.late ? '  (signed late)' : ''}`,
    `  status   ${o.status}`,
  ];
  if (o.pin) {
    lines.push(`  pinned   tree size ${o.pin.tree_size}, root ${o.pin.root_hash}`);
    lines.push(
      o.pin.items_sha256 !== null
        ? `  items    ${o.pin.item_count}, sha256 ${o.pin.items_sha256}`
        : `  snapshot ${o.pin.item_count} principals, sha256 ${o.pin.snapshot_sha256}`,
    );
  }
  for (const n of o.notes ?? []) {
    lines.push(
      `  ${n.kind.padEnd(11)} ${n.item}${n.decision ? ` ${n.decision}` : ''}: ${n.note} (${n.by}, ${n.at})${n.alert_id ? ` alert ${n.alert_id}` : ''}`,
    );
  }
  if (o.sign_off)
    lines.push(
      `  signed   ${o.sign_off.decision} by ${o.sign_off.by} at ${o.sign_off.at}${o.sign_off.notes ? `: ${o.sign_off.notes}` : ''}`,
    );
  if (o.countersign_required)
    lines.push(
      o.countersign
        ? `  counter  by ${o.countersign.by} at ${o.countersign.at}`
        : '  counter  awaiting countersign',
    );
  return lines.join('\n');
}
