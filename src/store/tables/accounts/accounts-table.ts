import type { AccountRecord } from '../../../access/accounts/accounts.js';
import type { Role } from '../../../access/principal.js';
import { AppError } from '../../../errors.js';
import { forUpdate, isUniqueViolation, type QueryRunner, tables } from '../../sql/query-runner.js';
import { accountFromRows, accountToRow, roleRows } from './account-rows.js';
import type { AccountRolesTable, AccountsTable, AccountTables } from './accounts-tables.js';

/** Accounts and their roles: the only code that builds queries over `accounts`/`account_roles`. */

export async function accountById(
  q: QueryRunner,
  id: string,
  options: { lock?: boolean } = {},
): Promise<AccountRecord | undefined> {
  const db = tables<AccountTables>(q);
  const select = db.selectFrom('accounts').selectAll().where('id', '=', id);
  const row = await q.first(options.lock ? forUpdate(q, select) : select);
  return row ? withRoles(q, row) : undefined;
}

export async function accountByName(
  q: QueryRunner,
  name: string,
): Promise<AccountRecord | undefined> {
  const db = tables<AccountTables>(q);
  const row = await q.first(db.selectFrom('accounts').selectAll().where('name', '=', name));
  return row ? withRoles(q, row) : undefined;
}

export async function accountByOidc(
  q: QueryRunner,
  issuer: string,
  subject: string,
): Promise<AccountRecord | undefined> {
  const db = tables<AccountTables>(q);
  const row = await q.first(
    db
      .selectFrom('accounts')
      .selectAll()
      .where('oidc_issuer', '=', issuer)
      .where('oidc_subject', '=', subject),
  );
  return row ? withRoles(q, row) : undefined;
}

/**
 * Adds an account and its roles. The name and the OpenID identity are unique by constraint:
 * a taken one is a 409 (and, inside a transaction, rolls everything back).
 */
export async function insertAccount(
  q: QueryRunner,
  account: AccountRecord,
  atMs: number,
): Promise<void> {
  const db = tables<AccountTables>(q);
  try {
    await q.run(db.insertInto('accounts').values(accountToRow(account, 1, atMs)));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw uniqueRefusal(error, account);
  }
  await insertRoles(q, roleRows(account));
}

/**
 * Replaces the account with `change(current)`. Inside a transaction the row is read FOR UPDATE
 * (PostgreSQL), so the write cannot lose to another; the version check stays as the guard for
 * a caller that runs outside one. Undefined when there is no such account.
 */
export async function changeAccount(
  q: QueryRunner,
  id: string,
  change: (current: AccountRecord) => AccountRecord,
  atMs: number,
): Promise<AccountRecord | undefined> {
  const db = tables<AccountTables>(q);
  const row = await q.first(
    forUpdate(q, db.selectFrom('accounts').selectAll().where('id', '=', id)),
  );
  if (!row) return undefined;
  const current = await withRoles(q, row);
  const next = change(current);
  const version = Number(row.version);
  const { id: _id, version: _v, ...columns } = accountToRow(next, version + 1, atMs);
  let changed: number;
  try {
    changed = await q.run(
      db
        .updateTable('accounts')
        .set({ ...columns, version: version + 1 })
        .where('id', '=', id)
        .where('version', '=', version),
    );
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw uniqueRefusal(error, next);
  }
  if (changed !== 1) {
    throw new AppError(
      'concurrent_change',
      `principal ${id} is being changed by others; try again`,
    );
  }
  if (JSON.stringify(roleRows(current)) !== JSON.stringify(roleRows(next))) {
    await q.run(db.deleteFrom('account_roles').where('account_id', '=', id));
    await insertRoles(q, roleRows(next));
  }
  return next;
}

export interface AccountPageFilter {
  kind?: 'person' | 'service';
  role?: Role;
  /** Keyset: only ids after this one (ids are ULIDs: creation order). */
  afterId?: string;
  limit: number;
}

/** One page of accounts in creation order, filtered in SQL (index account_roles_role). */
export async function accountPage(
  q: QueryRunner,
  filter: AccountPageFilter,
): Promise<AccountRecord[]> {
  const db = tables<AccountTables>(q);
  let rows: AccountsTable[];
  if (filter.role === undefined) {
    let query = db.selectFrom('accounts').selectAll();
    if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
    if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
    rows = await q.all(query.orderBy('id').limit(filter.limit));
  } else {
    // The walk is over account_roles' (role, account_id) index, already in id order.
    let query = db
      .selectFrom('account_roles')
      .innerJoin('accounts', 'accounts.id', 'account_roles.account_id')
      .selectAll('accounts')
      .where('account_roles.role', '=', filter.role);
    if (filter.kind !== undefined) query = query.where('accounts.kind', '=', filter.kind);
    if (filter.afterId !== undefined) {
      query = query.where('account_roles.account_id', '>', filter.afterId);
    }
    rows = await q.all(query.orderBy('account_roles.account_id').limit(filter.limit));
  }
  if (rows.length === 0) return [];
  const roles = await q.all(
    db
      .selectFrom('account_roles')
      .selectAll()
      .where(
        'account_id',
        'in',
        rows.map((r) => r.id),
      ),
  );
  const byAccount = new Map<string, AccountRolesTable[]>();
  for (const r of roles) byAccount.set(r.account_id, [...(byAccount.get(r.account_id) ?? []), r]);
  return rows.map((row) => accountFromRows(row, byAccount.get(row.id) ?? []));
}

/**
 * The enabled accounts holding admin, in one query. With `lock` (inside a transaction) their
 * rows stay locked on PostgreSQL until it ends, so "is this the last admin?" cannot be
 * answered twice from the same rows by two concurrent changes.
 */
export async function activeAdminIds(
  q: QueryRunner,
  options: { lock?: boolean } = {},
): Promise<string[]> {
  const db = tables<AccountTables>(q);
  const select = db
    .selectFrom('accounts')
    .innerJoin('account_roles', 'account_roles.account_id', 'accounts.id')
    .select('accounts.id')
    .where('account_roles.role', '=', 'admin')
    .where('accounts.disabled', '=', 0)
    .orderBy('accounts.id');
  const rows = await q.all(options.lock ? forUpdate(q, select) : select);
  return rows.map((r) => r.id);
}

async function withRoles(q: QueryRunner, row: AccountsTable): Promise<AccountRecord> {
  const db = tables<AccountTables>(q);
  const roles = await q.all(
    db.selectFrom('account_roles').selectAll().where('account_id', '=', row.id),
  );
  return accountFromRows(row, roles);
}

async function insertRoles(q: QueryRunner, rows: readonly AccountRolesTable[]): Promise<void> {
  if (rows.length === 0) return;
  await q.run(
    tables<AccountTables>(q)
      .insertInto('account_roles')
      .values([...rows]),
  );
}

/** Which unique constraint refused the row: the OpenID identity, else the name. */
function uniqueRefusal(error: unknown, account: AccountRecord): AppError {
  const text = `${(error as { constraint?: unknown }).constraint ?? ''} ${(error as Error).message}`;
  if (/oidc/.test(text)) {
    return new AppError(
      'identity_linked',
      'that OpenID Connect identity is linked to another account',
      { path: 'oidc_subject' },
    );
  }
  if (/name/.test(text)) {
    return new AppError('name_taken', `an account named "${account.name}" exists`, {
      path: 'name',
    });
  }
  return new AppError('id_taken', `an account with id ${account.id} exists`);
}
