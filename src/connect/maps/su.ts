import type { LineMapper } from '../log-line.js';

// util-linux su: "(to root) alice on pts/0", "FAILED SU (to root) alice on pts/0";
// shadow's su: "Successful su for root by alice", "FAILED su for root by alice".
const UTIL_LINUX = /^(FAILED SU )?\(to (\S+)\) (\S+) on (\S+)/;
const SHADOW = /^(Successful|FAILED) su for (\S+) by (\S+)/;

/** su: switching user, and failed attempts. */
export const suMapper: LineMapper = (line) => {
  if (line.appName !== 'su') return undefined;
  const a = UTIL_LINUX.exec(line.message);
  const b = a ? undefined : SHADOW.exec(line.message);
  if (!a && !b) return undefined;
  const failed = a ? a[1] !== undefined : b![1] === 'FAILED';
  const to = a ? a[2]! : b![2]!;
  const by = a ? a[3]! : b![3]!;
  return {
    action: 'su.switch_user',
    outcome: failed ? 'failure' : 'success',
    actor: { id: by, type: 'user' },
    target: { type: 'user', id: to },
    category: 'authentication',
    severity: failed ? 'medium' : 'info',
    details: { ...(a ? { tty: a[4]! } : {}), ...(line.hostname ? { host: line.hostname } : {}) },
  };
};
