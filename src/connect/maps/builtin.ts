import type { LineMapper } from '../log-line.js';
import { pamMapper } from './pam.js';
import { postgresMapper } from './postgres.js';
import { sshdMapper } from './sshd.js';
import { suMapper } from './su.js';
import { sudoMapper } from './sudo.js';

/** The maps every listener and mapping applies after the configured rules. */
export const BUILTIN_MAPPERS: readonly LineMapper[] = [
  sshdMapper,
  sudoMapper,
  suMapper,
  pamMapper,
  postgresMapper,
];
