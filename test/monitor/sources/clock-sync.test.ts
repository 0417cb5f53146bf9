import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ClockSyncProbe,
  type CommandResult,
  TIMESYNCD_FLAG,
} from '../../../src/monitor/clock/clock-sync.js';
import {
  readChronycTracking,
  readNtpstat,
  readTimedatectl,
} from '../../../src/monitor/clock/sync-probes.js';
import { ManualClock } from '../../../src/util/clock.js';

const T = Date.parse('2026-11-22T09:00:00.000Z');
const ok = (stdout: string): CommandResult => ({ exitCode: 0, stdout, stderr: '' });
const missing: CommandResult = { exitCode: null, stdout: '', stderr: '', error: 'not installed' };

/** A host whose commands answer from a table; records what ran. */
function host(answers: Record<string, CommandResult>, files: string[] = []) {
  const ran: string[] = [];
  return {
    ran,
    run: async (command: string) => {
      ran.push(command);
      return answers[command] ?? missing;
    },
    fileExists: async (path: string) => files.includes(path),
  };
}

const CHRONY_SYNCED = `Reference ID    : C0A80001 (192.168.0.1)
Stratum         : 3
System time     : 0.000012 seconds fast of NTP time
Leap status     : Normal
`;
const CHRONY_UNSYNCED = `Reference ID    : 00000000 ()
Stratum         : 0
Leap status     : Not synchronised
`;

describe('clock sync readings', () => {
  it('reads what each tool prints', () => {
    assert.deepEqual(readTimedatectl('yes\n'), { synchronized: true });
    assert.deepEqual(readTimedatectl('no\n'), { synchronized: false });
    assert.ok('unknown' in readTimedatectl(''));
    assert.deepEqual(readChronycTracking(CHRONY_SYNCED), { synchronized: true });
    assert.deepEqual(readChronycTracking(CHRONY_UNSYNCED), { synchronized: false });
    assert.ok('unknown' in readChronycTracking('506 Cannot talk to daemon'));
    assert.deepEqual(readNtpstat(0), { synchronized: true });
    assert.deepEqual(readNtpstat(1), { synchronized: false });
    assert.ok('unknown' in readNtpstat(2));
  });
});

describe('ClockSyncProbe', () => {
  it('asks timedatectl first', async () => {
    const h = host({ timedatectl: ok('no\n'), chronyc: ok(CHRONY_SYNCED) });
    const status = await new ClockSyncProbe({ clock: new ManualClock(T), ...h }).status();
    assert.deepEqual(status, { synchronized: false, method: 'timedatectl', checkedAtMs: T });
    assert.deepEqual(h.ran, ['timedatectl']);
  });

  it('falls through tools that cannot tell, to chronyc', async () => {
    const h = host({
      timedatectl: {
        exitCode: 1,
        stdout: '',
        stderr: "System has not been booted with systemd as init system (PID 1). Can't operate.\n",
      },
      chronyc: ok(CHRONY_UNSYNCED),
    });
    const status = await new ClockSyncProbe({ clock: new ManualClock(T), ...h }).status();
    assert.equal(status.synchronized, false);
    assert.equal(status.method, 'chronyc');
  });

  it("takes systemd-timesyncd's flag file as synchronised", async () => {
    const h = host({}, [TIMESYNCD_FLAG]);
    const status = await new ClockSyncProbe({ clock: new ManualClock(T), ...h }).status();
    assert.equal(status.synchronized, true);
    assert.equal(status.method, 'systemd-timesyncd');
  });

  it('says null, and why, when nothing can tell', async () => {
    const h = host({
      timedatectl: { exitCode: 1, stdout: '', stderr: 'Failed to connect to bus' },
    });
    const status = await new ClockSyncProbe({ clock: new ManualClock(T), ...h }).status();
    assert.equal(status.synchronized, null);
    assert.equal(status.method, 'none');
    assert.match(status.reason!, /timedatectl: Failed to connect to bus/);
    assert.match(status.reason!, /chronyc: not installed/);
    assert.match(status.reason!, /ntpstat: not installed/);
  });

  it('caches a result for a minute, then checks again', async () => {
    const clock = new ManualClock(T);
    const h = host({ timedatectl: ok('yes\n') });
    const probe = new ClockSyncProbe({ clock, ...h });
    await probe.status();
    clock.advance(59_999);
    assert.equal((await probe.status()).checkedAtMs, T);
    assert.equal(h.ran.length, 1);
    clock.advance(1);
    // Stale: answered from the cache while a fresh check runs; the next call sees it.
    assert.equal((await probe.status()).checkedAtMs, T);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await probe.status()).checkedAtMs, T + 60_000);
    assert.equal(h.ran.length, 2);
  });

  it('never lets a hanging tool hold the caller past its wait', async () => {
    const probe = new ClockSyncProbe({
      clock: new ManualClock(T),
      run: () => new Promise<CommandResult>(() => undefined),
      waitMs: 20,
    });
    const status = await probe.status();
    assert.equal(status.synchronized, null);
    assert.match(status.reason!, /still running/);
  });
});
