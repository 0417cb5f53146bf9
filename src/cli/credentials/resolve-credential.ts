import { readFileSync } from 'node:fs';
import { ApiError } from '../../client/api-client.js';
import { dataPaths } from '../../data-folder.js';
import { apiUrl, dataDirOption } from '../options.js';
import { credentialsFile, findLogin, type StoredLogin } from './stored-logins.js';

/** Where the token of an API command came from (`evident whoami` says which). */
export type CredentialSource =
  | { kind: 'flag' }
  | { kind: 'env' }
  | { kind: 'login'; login: StoredLogin; file: string }
  | { kind: 'token_file'; file: string };

export interface ResolvedCredential {
  url: string;
  token: string;
  source: CredentialSource;
}

export interface CredentialOptions {
  url?: string;
  token?: string;
  data?: string;
}

/**
 * The server and token of an API command. The URL: --url, EVIDENT_URL, the only stored
 * login, the local default. The token: --token, EVIDENT_TOKEN, the stored login for that URL,
 * then the bootstrap token file of the local data folder (so `evident search` just works
 * beside `npm start`).
 */
export function resolveCredential(opts: CredentialOptions): ResolvedCredential {
  const url = apiUrl(opts.url);
  if (opts.token) return { url, token: opts.token, source: { kind: 'flag' } };
  if (process.env.EVIDENT_TOKEN) {
    return { url, token: process.env.EVIDENT_TOKEN, source: { kind: 'env' } };
  }
  const file = credentialsFile();
  const login = findLogin(url, file);
  if (login) return { url, token: login.token, source: { kind: 'login', login, file } };
  const tokenFile = dataPaths(dataDirOption(opts.data)).adminToken;
  try {
    const token = readFileSync(tokenFile, 'utf8').trim();
    return { url, token, source: { kind: 'token_file', file: tokenFile } };
  } catch {
    throw new Error(
      `no credential for ${url}: sign in with \`evident login --url ${url}\`, pass --token, set EVIDENT_TOKEN, or run beside a data folder with ${tokenFile}`,
    );
  }
}

export function describeSource(source: CredentialSource): string {
  switch (source.kind) {
    case 'flag':
      return '--token';
    case 'env':
      return 'EVIDENT_TOKEN';
    case 'login':
      return `stored login (evident login) in ${source.file}`;
    case 'token_file':
      return `bootstrap admin token file ${source.file}`;
  }
}

/**
 * A 401 said in terms of what the person did: the stored login expired or was revoked, or
 * the token file beside them is a bootstrap token the server no longer takes.
 */
export function explainUnauthorized(
  credential: ResolvedCredential,
  error: ApiError,
  nowMs: number = Date.now(),
): ApiError {
  const { url, source } = credential;
  const again = `\`evident login --url ${url}\``;
  let message: string | undefined;
  if (source.kind === 'login') {
    const who = `${source.login.name} at ${url}`;
    message =
      Date.parse(source.login.expires_at) <= nowMs
        ? `your login as ${who} expired at ${source.login.expires_at}; sign in again with ${again}`
        : `your stored login as ${who} was refused (revoked, or the account was disabled); sign in again with ${again}, or forget it with \`evident logout --url ${url}\``;
  } else if (source.kind === 'token_file') {
    // A server from before error reasons says it only in the message.
    const off =
      error.reason === 'bootstrap_token_off' ||
      (error.reason === undefined && /bootstrap admin token turned off/.test(error.message));
    message = off
      ? `${url} has the bootstrap admin token turned off, so ${source.file} is of no use there: sign in as a person with ${again} (or pass --token / set EVIDENT_TOKEN)`
      : `${url} refused the bootstrap admin token from ${source.file} (another server's, or turned off there): sign in with ${again}, or pass --token / set EVIDENT_TOKEN`;
  }
  return message === undefined
    ? error
    : new ApiError(error.status, error.code, message, error.path, error.reason);
}
