import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SelfAuditEvent } from '../../../src/log/self-audit.js';
import type { ClockSyncStatus } from '../../../src/monitor/clock/clock-sync.js';
import { ClockSyncRecorder } from '../../../src/monitor/clock/clock-sync-recorder.js';
import { ManualClock } from '../../../src/util/clock.js';

describe('the server clock sync state in the log', () => {
  it('records the state once at the first look, then only when it changes', async () => {
    const clock = new ManualClock(Date.parse('2026-11-22T09:00:00.000Z'));
    let status: ClockSyncStatus = { synchronized: true, method: 'timedatectl', checkedAtMs: 0 };
    const events: SelfAuditEvent[] = [];
    const recorder = new ClockSyncRecorder({
      source: { status: async () => ({ ...status, checkedAtMs: clock.now() }) },
      audit: { record: async (e) => events.push(e) },
      clock,
    });
    await recorder.check();
    await recorder.check();
    assert.equal(events.length, 1);
    status = { synchronized: false, method: 'timedatectl', checkedAtMs: 0, reason: 'no NTP' };
    await recorder.check();
    await recorder.check();
    assert.equal(events.length, 2);
    assert.equal(events[1]!.action, 'clock.sync');
    assert.deepEqual(events[1]!.details, {
      synchronized: false,
      method: 'timedatectl',
      reason: 'no NTP',
      checked_at: '2026-11-22T09:00:00.000Z',
    });
    assert.deepEqual(events[1]!.principal, { kind: 'system', id: 'clock-sync' });
  });
});
