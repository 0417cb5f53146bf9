import type { FourEyesSettings } from '../../../access/admin/four-eyes-settings.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { AccountTables } from './accounts-tables.js';

/**
 * The four-eyes settings stay one document in `state` (kind four_eyes, id settings): a single
 * row nobody queries by its fields, so a table of its own would add a migration and nothing
 * else. It is read and written through the query runner, so a change commits with its event.
 */
const KIND = 'four_eyes';
const ID = 'settings';

export async function fourEyesDocument(q: QueryRunner): Promise<FourEyesSettings | undefined> {
  const row = await q.first(
    tables<AccountTables>(q)
      .selectFrom('state')
      .select('value')
      .where('kind', '=', KIND)
      .where('id', '=', ID),
  );
  return row ? parseFourEyes(JSON.parse(row.value)) : undefined;
}

export async function saveFourEyesDocument(
  q: QueryRunner,
  settings: FourEyesSettings,
  atMs: number,
): Promise<void> {
  const db = tables<AccountTables>(q);
  const value = JSON.stringify(settings);
  const changed = await q.run(
    db
      .updateTable('state')
      .set((eb) => ({ value, version: eb('version', '+', 1), updated_at_ms: atMs }))
      .where('kind', '=', KIND)
      .where('id', '=', ID),
  );
  if (changed === 0) {
    await q.run(
      db.insertInto('state').values({ kind: KIND, id: ID, value, version: 1, updated_at_ms: atMs }),
    );
  }
}

function parseFourEyes(value: unknown): FourEyesSettings {
  const v = value as Record<string, unknown> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    (v.readerGrants !== 'on' && v.readerGrants !== 'off') ||
    (v.changedBy !== null && typeof v.changedBy !== 'string') ||
    (v.changedAtMs !== null && !Number.isSafeInteger(v.changedAtMs))
  ) {
    throw new Error('the four-eyes settings document in the database is unreadable');
  }
  return {
    readerGrants: v.readerGrants,
    changedBy: v.changedBy as string | null,
    changedAtMs: v.changedAtMs as number | null,
  };
}
