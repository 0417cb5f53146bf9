import type { LineMapper, MappedFields } from '../log-line.js';

// OpenSSH's auth.c / sshd.c wording (LogLevel INFO).
const ACCEPTED_OR_FAILED =
  /^(Accepted|Failed) (password|publickey|keyboard-interactive\/pam|keyboard-interactive|hostbased|gssapi-with-mic|none) for (invalid user )?(\S+) from (\S+) port (\d+)(?: ssh2)?(?:: (\S+) (\S+))?/;
const INVALID_USER = /^Invalid user (\S*) from (\S+)(?: port (\d+))?/;

/** sshd: accepted/failed password or publickey logins, and unknown user names. */
export const sshdMapper: LineMapper = (line) => {
  if (line.appName !== 'sshd' && line.appName !== 'sshd-session') return undefined;
  const m = ACCEPTED_OR_FAILED.exec(line.message);
  if (m) {
    const ok = m[1] === 'Accepted';
    const fields: MappedFields = {
      action: 'ssh.login',
      outcome: ok ? 'success' : 'failure',
      actor: { id: m[4]!, type: 'user', ip: m[5]! },
      category: 'authentication',
      severity: ok ? 'info' : 'low',
      details: { method: m[2]!, port: Number(m[6]) },
    };
    if (m[3]) {
      fields.reason = 'invalid user';
      fields.details = { ...fields.details, invalid_user: true };
    }
    if (m[7] && fields.details) fields.details.key = `${m[7]} ${m[8]}`;
    return withHost(fields, line.hostname);
  }
  const invalid = INVALID_USER.exec(line.message);
  if (invalid) {
    return withHost(
      {
        action: 'ssh.login',
        outcome: 'failure',
        actor: { id: invalid[1] || '(empty)', type: 'user', ip: invalid[2]! },
        category: 'authentication',
        severity: 'low',
        reason: 'invalid user',
        details: { invalid_user: true, ...(invalid[3] ? { port: Number(invalid[3]) } : {}) },
      },
      line.hostname,
    );
  }
  return undefined;
};

/** The host a line came from is what was accessed. */
export function withHost(fields: MappedFields, hostname: string | undefined): MappedFields {
  return hostname ? { ...fields, target: fields.target ?? { type: 'host', id: hostname } } : fields;
}
