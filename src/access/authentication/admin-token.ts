import { existsSync, readFileSync } from 'node:fs';
import { writeSecretFile } from '../../util/secret-file.js';
import { hashSecret, newSecret, secretMatches } from '../credentials/secrets.js';

const MIN_LENGTH = 24;

export interface AdminToken {
  matches(token: string): boolean;
  /** Set only when this start generated the token, so it can be printed once. */
  generated?: string;
}

/**
 * The bootstrap admin credential (people and roles are built on top of it): from
 * EVIDENT_ADMIN_TOKEN, else from `<data>/admin.token`, else made now and written there (0600).
 */
export function loadAdminToken(file: string, fromEnv: string | undefined): AdminToken {
  let generated: string | undefined;
  let token: string;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < MIN_LENGTH) {
      throw new Error(`EVIDENT_ADMIN_TOKEN must be at least ${MIN_LENGTH} characters`);
    }
    token = fromEnv;
  } else if (existsSync(file)) {
    token = readFileSync(file, 'utf8').trim();
  } else {
    token = `eva_${newSecret()}`;
    writeSecretFile(file, `${token}\n`);
    generated = token;
  }
  const hash = hashSecret(token);
  return {
    matches: (candidate) => secretMatches(candidate, hash),
    ...(generated ? { generated } : {}),
  };
}
