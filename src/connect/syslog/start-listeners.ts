import { readFileSync } from 'node:fs';
import type { Sequencer } from '../../log/sequencer.js';
import type { Store } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';
import type { LineMapper } from '../log-line.js';
import { parseLineRules } from '../mapping/line-rules.js';
import { BUILTIN_MAPPERS } from '../maps/builtin.js';
import { type RunningListener, startSyslogListener } from './listener.js';
import { parseListenerSpec } from './listener-spec.js';

/** serve's syslog flags, as given. */
export interface SyslogOptions {
  /** `--syslog` URLs (listener-spec.ts). */
  listen: string[];
  /** `--syslog-cert` / `--syslog-key` PEM files, for tls:// listeners. */
  certFile?: string;
  keyFile?: string;
  /** `--syslog-rules` YAML mapping rules, applied before the built-in maps. */
  rulesFile?: string;
}

/** Starts every listener, or none: a bad flag or key stops serve before it takes data. */
export async function startSyslogListeners(
  options: SyslogOptions,
  deps: { store: Store; sequencer: Sequencer; clock: Clock; onError: (error: unknown) => void },
): Promise<RunningListener[]> {
  const specs = options.listen.map(parseListenerSpec);
  const mappers: LineMapper[] = [...BUILTIN_MAPPERS];
  if (options.rulesFile)
    mappers.unshift(parseLineRules(readFileSync(options.rulesFile, 'utf8'), options.rulesFile));
  const tls =
    options.certFile && options.keyFile
      ? { cert: readFileSync(options.certFile, 'utf8'), key: readFileSync(options.keyFile, 'utf8') }
      : undefined;
  const running: RunningListener[] = [];
  try {
    for (const spec of specs) {
      running.push(
        await startSyslogListener(spec, {
          store: deps.store,
          append: (records, source) => deps.sequencer.append(records, source),
          now: () => deps.clock.now(),
          mappers,
          ...(tls ? { tls } : {}),
          onError: deps.onError,
        }),
      );
    }
  } catch (error) {
    await Promise.all(running.map((l) => l.close()));
    throw error;
  }
  return running;
}
