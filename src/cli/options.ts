import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { DEFAULT_DATA_DIR, dataPaths } from '../data-folder.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export function dataDirOption(value: string | undefined): string {
  return value ?? process.env.EVIDENT_DATA ?? DEFAULT_DATA_DIR;
}

/** The PostgreSQL URL: --db, else EVIDENT_DATABASE_URL, else none (the embedded SQLite store). */
export function databaseUrlOption(value: string | undefined): string | undefined {
  return value ?? (process.env.EVIDENT_DATABASE_URL || undefined);
}

export const DB_FLAG = '--db <url>';
export const DB_HELP =
  'PostgreSQL URL (env EVIDENT_DATABASE_URL); default: SQLite in the data folder';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 0 || port > 65535)
    throw new InvalidArgumentError('must be a port number 0–65535');
  return port;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

/** The API URL: --url, else EVIDENT_URL, else the local default. */
export function apiUrl(value: string | undefined): string {
  return (value ?? process.env.EVIDENT_URL ?? DEFAULT_URL).replace(/\/+$/, '');
}

/**
 * The admin token for API commands: --token, else EVIDENT_TOKEN, else the token file of the
 * local data folder (so `evident search` just works beside `npm start`).
 */
export function adminTokenOption(value: string | undefined, dataDir: string | undefined): string {
  const token = value ?? process.env.EVIDENT_TOKEN;
  if (token) return token;
  const file = dataPaths(dataDirOption(dataDir)).adminToken;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new Error(
      `no admin token: pass --token, set EVIDENT_TOKEN, or run beside a data folder with ${file}`,
    );
  }
}
