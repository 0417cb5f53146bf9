#!/usr/bin/env node
import { ApiError } from '../client/api-client.js';
import { programFor } from './program.js';

/** The message says what to fix; the server's reason is what to look up (docs/api.md). */
function describe(error: unknown): string {
  if (error instanceof ApiError && error.reason !== undefined) {
    return `${error.message} [${error.reason}]`;
  }
  return error instanceof Error ? error.message : String(error);
}

programFor(process.argv)
  .then((program) => program.parseAsync(process.argv))
  .catch((error: unknown) => {
    console.error(`evident: ${describe(error)}`);
    process.exit(process.exitCode && process.exitCode !== 0 ? process.exitCode : 1);
  });
