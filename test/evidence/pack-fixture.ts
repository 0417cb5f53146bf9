/** Packs cut in-process from the test logs of pack-log.ts (the CLI does the same, slower). */
import { withLocalLog } from '../../src/cli/operator.js';
import { createEvidencePack } from '../../src/evidence/create-pack.js';
import { parsePackPeriod } from '../../src/evidence/pack-period.js';
import { openStore } from '../../src/store/open-store.js';

/** A stand-in for the built verify.html: the pack treats it as one more file with a hash. */
export const FAKE_VERIFY_PAGE = new TextEncoder().encode('<!doctype html><title>verify</title>\n');

export async function cutPack(
  dataDir: string,
  options: { since?: string; verifyPage?: Uint8Array; databaseUrl?: string } = {},
): Promise<Map<string, Uint8Array>> {
  return withLocalLog({ dataDir, databaseUrl: options.databaseUrl }, async (log, audit) => {
    const made = await createEvidencePack(log, audit, {
      period: parsePackPeriod('2026-01-01', '2026-03-31'),
      verifyPage: options.verifyPage ?? FAKE_VERIFY_PAGE,
      ...(options.since === undefined ? {} : { since: options.since }),
    });
    return made.files;
  });
}

/** The signed checkpoint of `size` as the log handed it out (an auditor's --since file). */
export async function checkpointNote(
  dataDir: string,
  size: number,
  databaseUrl?: string,
): Promise<string> {
  const store = await openStore({ dataDir, databaseUrl });
  try {
    const cp = await store.checkpoint(size);
    if (!cp) throw new Error(`no checkpoint of size ${size}`);
    return cp.note;
  } finally {
    await store.close();
  }
}
