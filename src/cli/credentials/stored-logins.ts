import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** A sign-in from `evident login`: a short-lived API token for one server. */
export interface StoredLogin {
  url: string;
  token: string;
  token_id: string;
  principal_id: string;
  name: string;
  method: 'password' | 'oidc';
  created_at: string;
  expires_at: string;
}

interface CredentialsFile {
  version: 1;
  logins: Record<string, StoredLogin>;
}

/**
 * Where logins live: `$XDG_CONFIG_HOME/evident/credentials.json`, else
 * `~/.config/evident/credentials.json` (XDG Base Directory spec). The folder is 0700 and the
 * file 0600: it holds bearer tokens.
 */
export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  return join(base, 'evident', 'credentials.json');
}

/** A URL as a key: scheme, host and port as URL parses them, path without trailing slashes. */
export function loginKey(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url.replace(/\/+$/, '');
  }
}

export function readLogins(file = credentialsFile()): Record<string, StoredLogin> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  warnIfShared(file);
  try {
    const parsed = JSON.parse(text) as CredentialsFile;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.logins !== 'object') {
      throw new Error('no "logins" object');
    }
    return parsed.logins ?? {};
  } catch (error) {
    throw new Error(
      `${file} is not an Evident credentials file (${(error as Error).message}); remove it and run \`evident login\` again`,
    );
  }
}

const warned = new Set<string>();

/** Bearer tokens readable by others are as good as theirs: say so (once), as ssh does. */
function warnIfShared(file: string): void {
  if (process.platform === 'win32' || warned.has(file)) return;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    warned.add(file);
    console.error(
      `evident: warning: ${file} holds sign-in tokens and is readable by others (mode ${mode.toString(8)}); run \`chmod 600 ${file}\``,
    );
  }
}

export function findLogin(url: string, file = credentialsFile()): StoredLogin | undefined {
  return readLogins(file)[loginKey(url)];
}

/** The server of the only stored login, so `evident login --url U` once makes U the default. */
export function singleLoginUrl(file = credentialsFile()): string | undefined {
  const logins = Object.values(readLogins(file));
  return logins.length === 1 ? logins[0]!.url : undefined;
}

export function saveLogin(login: StoredLogin, file = credentialsFile()): void {
  const logins = readLogins(file);
  logins[loginKey(login.url)] = login;
  writeLogins(logins, file);
}

/** Forgets the login for `url`; false when there was none. */
export function removeLogin(url: string, file = credentialsFile()): boolean {
  const logins = readLogins(file);
  const key = loginKey(url);
  if (!(key in logins)) return false;
  delete logins[key];
  writeLogins(logins, file);
  return true;
}

/** Written whole to a 0600 temp file and renamed over the old one: never half a file. */
function writeLogins(logins: Record<string, StoredLogin>, file: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir keeps an existing folder's mode, and the umask may have widened a new one.
  chmodSync(dir, 0o700);
  const body: CredentialsFile = { version: 1, logins };
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(body, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}
