import type { AccountDirectory } from '../../access/accounts/accounts.js';
import type { AlertRecord } from '../../monitor/alerts/alert.js';
import type { AlertFilter } from '../../monitor/alerts/alert-filter.js';

/**
 * `assignee=` in a filter takes an account id or a sign-in name (people think in names).
 * An id wins when both exist; an unknown value stays as given and matches nothing, the same
 * answer as a known account with no alerts, so the filter is no oracle for account names.
 */
export async function resolveAssigneeFilter(
  accounts: AccountDirectory,
  filter: AlertFilter,
): Promise<AlertFilter> {
  if (filter.assignee === undefined || (await accounts.get(filter.assignee))) return filter;
  const named = await accounts.findByName(filter.assignee);
  return named ? { ...filter, assignee: named.id } : filter;
}

/** The names of the accounts these alerts are (or were) assigned to, read once per account. */
export async function assigneeNames(
  accounts: AccountDirectory,
  alerts: readonly AlertRecord[],
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const ids = new Set<string>();
  for (const a of alerts) {
    if (a.assignee !== null) ids.add(a.assignee);
    for (const h of a.history) if (typeof h.assignee === 'string') ids.add(h.assignee);
  }
  for (const id of ids) {
    const account = await accounts.get(id);
    if (account) names.set(id, account.name);
  }
  return names;
}
