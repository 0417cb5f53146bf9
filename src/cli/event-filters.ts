import type { Command } from 'commander';
import { zonedDayBound } from './zoned-day.js';

/** The search filters `evident search` and `evident export` share (docs/api.md). */
export interface EventFilterOptions {
  actor?: string;
  actorName?: string;
  action?: string;
  target?: string;
  targetType?: string;
  outcome?: string;
  source?: string;
  ip?: string;
  timeFrom?: string;
  timeTo?: string;
  receivedFrom?: string;
  receivedTo?: string;
  from?: string;
  to?: string;
  tz?: string;
  order?: string;
}

export function addEventFilterOptions(command: Command): Command {
  return command
    .option('--actor <id>', 'actor.id')
    .option('--actor-name <name>', 'actor.name, exactly')
    .option('--action <action>', 'action, e.g. customer.read; customer.* for a prefix')
    .option('--target <id>', 'target.id; c-* for a prefix')
    .option('--target-type <type>', 'target.type')
    .option('--outcome <outcome>', 'success | failure | denied | unknown')
    .option('--source <name>', 'source system')
    .option('--ip <address>', 'actor.ip: an address or a CIDR network (10.0.0.0/8, 2001:db8::/32)')
    .option('--time-from <time>', 'happened at or after (event time; RFC 3339 or a date)')
    .option('--time-to <time>', 'happened at or before (event time; a date means its whole day)')
    .option('--received-from <time>', 'received by the server at or after (RFC 3339 or a date)')
    .option('--received-to <time>', 'received by the server at or before')
    .option('--from <time>', 'same as --received-from')
    .option('--to <time>', 'same as --received-to')
    .option('--tz <zone>', 'dates alone are days in this IANA time zone (default UTC)')
    .option('--order <order>', 'time (event time) | received; default time when --time-* is given');
}

/** The query parameters of the filters; dates alone become that day in `--tz`. */
export function eventFilterQuery(opts: EventFilterOptions): Record<string, string | undefined> {
  const bound = (text: string | undefined, edge: 'start' | 'end', option: string) =>
    text === undefined || opts.tz === undefined ? text : zonedDayBound(text, opts.tz, edge, option);
  return {
    actor: opts.actor,
    actor_name: opts.actorName,
    action: opts.action,
    target: opts.target,
    target_type: opts.targetType,
    outcome: opts.outcome,
    source: opts.source,
    ip: opts.ip,
    time_from: bound(opts.timeFrom, 'start', '--time-from'),
    time_to: bound(opts.timeTo, 'end', '--time-to'),
    received_from: bound(opts.receivedFrom, 'start', '--received-from'),
    received_to: bound(opts.receivedTo, 'end', '--received-to'),
    from: bound(opts.from, 'start', '--from'),
    to: bound(opts.to, 'end', '--to'),
    order: opts.order,
  };
}
