import { AppError } from '../../errors.js';
import { type Action, type Principal, ROLES } from '../principal.js';
import {
  INGEST_ACTIONS,
  ROLE_ACTIONS,
  SOURCE_SCOPED_ACTIONS,
  UNSCOPED_ONLY_ACTIONS,
} from './permissions.js';
import { ALL_SOURCES, inScope, type SourceScope, scopeOf } from './source-scope.js';

/** What an action is applied to, when it matters: an entry, an alert, a source… */
export interface Resource {
  type: string;
  id: string;
  /** The source the resource belongs to; checked against scoped grants. */
  source?: string;
}

/**
 * The one permission decision (routes and commands never check roles themselves). Returns
 * the sources the principal may see for this action, so searches filter by it; throws
 * 403 when no grant allows the action, and 404 when the resource lies outside a scoped
 * grant (a scoped reader must not learn that other sources' entries exist).
 * No action deletes or edits events: none exists.
 */
export function authorize(principal: Principal, action: Action, resource?: Resource): SourceScope {
  if (principal.kind === 'ingest') {
    if (!INGEST_ACTIONS.includes(action)) {
      throw new AppError('ingest_key_append_only', 'an ingest key can only append events');
    }
    return { all: false, exact: [principal.source], prefixes: [] };
  }
  if (action === 'self') return ALL_SOURCES;
  if (action === 'events.append') {
    throw new AppError(
      'ingest_key_required',
      'appending needs an ingest key bound to a source; create one with `evident keys create --source NAME`',
    );
  }
  const allowing = principal.grants.filter((g) => ROLE_ACTIONS[g.role].includes(action));
  if (allowing.length === 0) {
    const roles = ROLES.filter((r) => ROLE_ACTIONS[r].includes(action));
    throw new AppError(
      'role_required',
      `"${action}" needs the role ${roles.map((r) => `"${r}"`).join(' or ')}`,
    );
  }
  if (!SOURCE_SCOPED_ACTIONS.has(action) && !UNSCOPED_ONLY_ACTIONS.has(action)) {
    return ALL_SOURCES;
  }
  const scope = scopeOf(allowing.map((g) => g.sources));
  if (UNSCOPED_ONLY_ACTIONS.has(action) && !scope.all) {
    throw new AppError(
      'unscoped_grant_required',
      `"${action}" reveals every source; it needs a grant that is not limited to some sources`,
    );
  }
  if (resource?.source !== undefined && !inScope(scope, resource.source)) {
    throw new AppError('not_found', `no ${resource.type} ${resource.id}`);
  }
  return scope;
}
