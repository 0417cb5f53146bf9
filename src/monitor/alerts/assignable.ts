import type { AccountDirectory } from '../../access/accounts/accounts.js';
import { authorize } from '../../access/authorization/authorize.js';
import type { SourceScope } from '../../access/authorization/source-scope.js';
import { AppError } from '../../errors.js';
import { visibleTo } from './alert-filter.js';

/**
 * Who an alert may be assigned to: an active account (by id or sign-in name) that may handle
 * it, a reviewer over one of its sources. Answers with the account id.
 */
export function assignableAccounts(accounts: AccountDirectory) {
  return async (account: string, sources: readonly string[]): Promise<string> => {
    const found = (await accounts.get(account)) ?? (await accounts.findByName(account));
    // One answer for "no such account" and "cannot handle it": a reviewer must not learn
    // which account names exist.
    const refused = new AppError(
      'invalid_field',
      `no active account "${account}" can handle this alert: assign an account with the reviewer role over one of its sources`,
      { path: 'assignee' },
    );
    if (!found || found.disabled) throw refused;
    let scope: SourceScope | undefined;
    try {
      scope = authorize(
        {
          kind: found.kind,
          id: found.id,
          name: found.name,
          grants: found.grants,
          credential: { method: 'token', tokenId: '' },
        },
        'alerts.handle',
      );
    } catch (error) {
      // A refusal means "cannot handle it"; any other failure is the server's, not a 400.
      if (!(error instanceof AppError)) throw error;
      scope = undefined;
    }
    if (!scope || !visibleTo(scope, { sources })) throw refused;
    return found.id;
  };
}
