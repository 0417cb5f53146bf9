import type { LineMapper } from '../log-line.js';

// sudo's log format (plugins/sudoers/logging.c): "user : [problem ; ]TTY=… ; PWD=… ; USER=… ; COMMAND=…".
const SUDO =
  /^\s*(\S+) : (?:(.*?) ; )?TTY=(\S+) ; PWD=(.*?) ; USER=(\S+) ;(?: GROUP=\S+ ;)?(?: TSID=\S+ ;)?(?: ENV=.*? ;)? COMMAND=(.*)$/;

/** sudo: commands run as another user, and refusals (wrong password, not in sudoers). */
export const sudoMapper: LineMapper = (line) => {
  if (line.appName !== 'sudo') return undefined;
  const m = SUDO.exec(line.message);
  if (!m) return undefined;
  const problem = m[2];
  const outcome =
    problem === undefined
      ? 'success'
      : /NOT in sudoers|not allowed/i.test(problem)
        ? 'denied'
        : 'failure';
  return {
    action: 'sudo.command',
    outcome,
    actor: { id: m[1]!, type: 'user' },
    target: { type: 'user', id: m[5]! },
    severity: outcome === 'success' ? 'info' : 'medium',
    reason: problem === undefined ? m[6]! : `${problem}: ${m[6]}`,
    details: {
      command: m[6]!,
      tty: m[3]!,
      pwd: m[4]!,
      ...(line.hostname ? { host: line.hostname } : {}),
    },
  };
};
