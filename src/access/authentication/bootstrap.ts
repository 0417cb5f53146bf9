import { type AccountPrincipal, BOOTSTRAP_ID } from '../principal.js';

/**
 * The bootstrap admin token (EVIDENT_ADMIN_TOKEN or `<data>/admin.token`) as a principal: a
 * service holding `admin` and `auditor`, so a fresh install can create its people and search
 * before any exist. Its every use is audited like anyone's; production setups create named
 * admins and auditors and turn it off (`evident serve --no-bootstrap-token`, docs/security.md).
 */
export const BOOTSTRAP_PRINCIPAL: AccountPrincipal = {
  kind: 'service',
  id: BOOTSTRAP_ID,
  name: 'bootstrap admin token',
  grants: [{ role: 'admin' }, { role: 'auditor' }],
  credential: { method: 'bootstrap' },
};
