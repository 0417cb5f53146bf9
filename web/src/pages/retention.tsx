import { useState } from 'preact/hooks';
import { ErrorNote } from '../components/error-note.js';
import { LegalHolds } from '../components/retention/holds.js';
import { RetentionPolicies } from '../components/retention/policies.js';
import { PurgeHistory } from '../components/retention/purges.js';
import { RetentionRequests } from '../components/retention/requests.js';
import {
  type Approval,
  type Hold,
  type Policy,
  RETENTION_CHANGES,
} from '../components/retention/types.js';
import { can } from '../permissions.js';
import type { Principal } from '../session.js';
import { useApiGet } from '../use-api.js';

const NOT_ALLOWED = 'Reading retention needs the admin or auditor role.';

/**
 * Retention (docs/retention.md): the policies in force, legal holds and their release state,
 * retention's four-eyes requests, and the purge history from the log's own events. Each part
 * is read only when the viewer's roles allow it, and the actions are offered only to
 * retention.manage.
 */
export function RetentionPage(props: { principal: Principal }) {
  const { principal } = props;
  const [refresh, setRefresh] = useState(0);
  const changed = () => setRefresh((n) => n + 1);
  const canRead = can(principal, 'retention.read');
  const canManage = can(principal, 'retention.manage');
  const policies = useApiGet<{ policies: Policy[] }>(
    canRead ? '/api/v1/retention' : undefined,
    {},
    refresh,
  );
  const holds = useApiGet<{ holds: Hold[] }>(canRead ? '/api/v1/holds' : undefined, {}, refresh);
  const approvals = useApiGet<{ approvals: Approval[] }>(
    can(principal, 'approvals.decide') ? '/api/v1/approvals' : undefined,
    { status: 'all' },
    refresh,
  );
  const requests = approvals.data?.approvals.filter((a) => RETENTION_CHANGES.includes(a.change));
  return (
    <section class="retention">
      <h1>Retention</h1>
      {canRead ? null : <p class="error">{NOT_ALLOWED}</p>}
      <ErrorNote error={policies.error ?? holds.error ?? approvals.error} />
      {policies.data ? (
        <RetentionPolicies
          policies={policies.data.policies}
          canManage={canManage}
          onChanged={changed}
        />
      ) : null}
      {requests ? <RetentionRequests approvals={requests} /> : null}
      {holds.data ? (
        <LegalHolds
          holds={holds.data.holds}
          pendingReleases={requests?.filter(
            (a) => a.change === 'hold_release' && a.status === 'pending',
          )}
          canManage={canManage}
          onChanged={changed}
        />
      ) : null}
      {can(principal, 'events.read', ['evident']) ? (
        <PurgeHistory refresh={refresh} />
      ) : (
        <p class="muted">
          The purge history is read from the log’s own events: it needs a role that reads events of
          source evident (auditor).
        </p>
      )}
    </section>
  );
}
