import type { AccountDirectory, AccountRecord } from '../accounts/accounts.js';
import type { FourEyesSettings } from '../admin/four-eyes-settings.js';
import type { ApiTokenRecord, ApiTokens } from '../credentials/api-tokens.js';
import type { AccountPrincipal, Principal } from '../principal.js';

/** Who a credential is, with what `GET /whoami` shows beside it. */
export type Caller =
  | { kind: 'ingest'; principal: Extract<Principal, { kind: 'ingest' }> }
  | {
      kind: 'account';
      principal: AccountPrincipal;
      /** Undefined if the account went away since the request was authenticated. */
      account: AccountRecord | undefined;
      /** The token a token credential names (undefined for other credentials). */
      token: ApiTokenRecord | undefined;
      fourEyes: FourEyesSettings;
    };

export interface CallerDeps {
  accounts: AccountDirectory;
  tokens: ApiTokens;
  fourEyes: () => Promise<FourEyesSettings>;
}

/** Reads nothing of the log (so it is not an event): the account, the token, four-eyes. */
export async function describeCaller(deps: CallerDeps, principal: Principal): Promise<Caller> {
  if (principal.kind === 'ingest') return { kind: 'ingest', principal };
  const c = principal.credential;
  const [account, token, fourEyes] = await Promise.all([
    deps.accounts.get(principal.id),
    c.method === 'token' ? deps.tokens.get(c.tokenId) : undefined,
    deps.fourEyes(),
  ]);
  return { kind: 'account', principal, account, token, fourEyes };
}
