import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A built-in rule pack: YAML in this folder, the lowest layer of the active rules. */
export interface RulePack {
  name: string;
  /** Shown in validation problems, e.g. `iso27001.yaml:12:7`. */
  file: string;
  text: string;
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Reads a pack's YAML. It sits beside this module in the sources and in `npm run build`
 * output (the build copies it); a bare `tsc --outDir` build (bench/) finds it by walking up
 * to the checkout's src/monitor/packs/.
 */
export function loadPack(name: 'iso27001'): RulePack {
  const file = `${name}.yaml`;
  const candidates = [join(here, file)];
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) {
    candidates.push(join(dir, 'src', 'monitor', 'packs', file));
  }
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`rule pack ${file} is missing beside ${here}`);
  return { name, file, text: readFileSync(found, 'utf8') };
}
