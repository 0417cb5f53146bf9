import type { AlertView } from '../../../src/monitor/types.js';
import { SecretBox } from '../../../src/util/secret-box.js';

export const T0 = Date.parse('2026-11-22T09:00:00.000Z');

/** An alert as the AlertService hands it over; override any field. */
export function alert(overrides: Partial<AlertView> = {}): AlertView {
  return {
    id: '01JD8X7Q6R3T9V2W4Y5Z6A7B8C',
    ruleId: 'iso27001.failed_sign_ins',
    title: 'Repeated failed sign-ins for u-1',
    description: '5 failed sign-ins within 5 minutes <script>',
    severity: 'high',
    state: 'open',
    seqs: [10, 11, 12, 13, 14],
    sources: ['billing-api'],
    group: { 'actor.id': 'u-1' },
    triggeredAtMs: T0,
    raisedAtMs: T0 + 5,
    ...overrides,
  };
}

/** A fixed secrets key for tests that build settings stores and notifiers on a bare store. */
export const TEST_SECRETS = SecretBox.fromKey(new Uint8Array(32).fill(7));
