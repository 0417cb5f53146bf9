import { AppError } from '../errors.js';
import type { Action, Principal } from './principal.js';

/**
 * The one permission decision. Ingest keys may only append (as their bound source); the
 * bootstrap admin token may do everything else but cannot append, so every event's source
 * comes from a key bound to it. No action deletes or edits events: none exists.
 */
export function authorize(principal: Principal, action: Action): void {
  if (principal.kind === 'ingest') {
    if (action === 'events.append') return;
    throw new AppError('forbidden', 'an ingest key can only append events');
  }
  if (action === 'events.append') {
    throw new AppError(
      'forbidden',
      'appending needs an ingest key bound to a source; create one with `evident keys create --source NAME`',
    );
  }
}
