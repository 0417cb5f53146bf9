/**
 * Pure readings of the tools that know whether the host clock is synchronised. Each returns
 * true/false when the output says so, or a reason it cannot tell.
 */
export type ProbeReading = { synchronized: boolean } | { unknown: string };

/** `timedatectl show -p NTPSynchronized --value`: systemd's view (kernel STA_UNSYNC cleared). */
export function readTimedatectl(stdout: string): ProbeReading {
  const value = stdout.trim();
  if (value === 'yes') return { synchronized: true };
  if (value === 'no') return { synchronized: false };
  return { unknown: `unexpected output ${JSON.stringify(value.slice(0, 80))}` };
}

/**
 * `chronyc -n tracking`: "Leap status : Normal" (or an announced leap second) means chronyd
 * is synchronised; "Not synchronised" means it is not (chronyc(1), tracking).
 */
export function readChronycTracking(stdout: string): ProbeReading {
  const leap = /^Leap status\s*:\s*(.+)$/m.exec(stdout)?.[1]?.trim();
  if (leap === undefined) return { unknown: 'no "Leap status" line' };
  if (leap === 'Not synchronised') return { synchronized: false };
  if (leap === 'Normal' || leap === 'Insert second' || leap === 'Delete second') {
    return { synchronized: true };
  }
  return { unknown: `leap status ${JSON.stringify(leap)}` };
}

/** `ntpstat` exit status: 0 synchronised, 1 not, 2 cannot tell (ntpstat(1)). */
export function readNtpstat(exitCode: number): ProbeReading {
  if (exitCode === 0) return { synchronized: true };
  if (exitCode === 1) return { synchronized: false };
  return { unknown: `ntpstat exited ${exitCode}: state unknown` };
}
