#!/usr/bin/env node
import { buildProgram } from './program.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    console.error(`evident: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(process.exitCode && process.exitCode !== 0 ? process.exitCode : 1);
  });
