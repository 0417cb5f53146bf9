import { InvalidArgumentError } from 'commander';
import { DEFAULT_DATA_DIR } from '../data-folder.js';
import { singleLoginUrl } from './credentials/stored-logins.js';

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

/** The API URL: --url, else EVIDENT_URL, else the only stored login's, else the local default. */
export function apiUrl(value: string | undefined): string {
  return (value ?? process.env.EVIDENT_URL ?? singleLoginUrl() ?? DEFAULT_URL).replace(/\/+$/, '');
}
