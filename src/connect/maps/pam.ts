import type { LineMapper } from '../log-line.js';
import { withHost } from './sshd.js';

// Linux-PAM's pam_unix (modules/pam_unix/pam_unix_sess.c, support.c).
const SESSION =
  /^pam_unix\(([^:)]+):session\): session (opened|closed) for user ([^\s(]+)(?:\(uid=\d+\))?(?: by (\S*?)(?:\(uid=\d+\))?)?$/;
const AUTH_FAILURE = /^pam_unix\(([^:)]+):auth\): authentication failure;(.*)$/;

/** pam_unix: sessions opened and closed, authentication failures (any service). */
export const pamMapper: LineMapper = (line) => {
  const session = SESSION.exec(line.message);
  if (session) {
    const opened = session[2] === 'opened';
    return withHost(
      {
        action: opened ? 'session.open' : 'session.close',
        outcome: 'success',
        actor: { id: session[3]!, type: 'user' },
        category: 'authentication',
        details: { service: session[1]!, ...(session[4] ? { by: session[4] } : {}) },
      },
      line.hostname,
    );
  }
  const failure = AUTH_FAILURE.exec(line.message);
  if (failure) {
    const kv = keyValues(failure[2]!);
    const user = kv.user || kv.ruser || kv.logname || '(unknown)';
    const ip = kv.rhost && /^[\d.]+$|:/.test(kv.rhost) ? kv.rhost : undefined;
    return withHost(
      {
        action: 'pam.authenticate',
        outcome: 'failure',
        actor: { id: user, type: 'user', ...(ip ? { ip } : {}) },
        category: 'authentication',
        severity: 'low',
        details: { service: failure[1]!, ...kv },
      },
      line.hostname,
    );
  }
  return undefined;
};

/** "logname=alice uid=1000 euid=0 tty=/dev/pts/0 ruser= rhost=  user=alice" (empty values allowed). */
function keyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)=(\S*)/g)) if (m[2]) out[m[1]!] = m[2];
  return out;
}
