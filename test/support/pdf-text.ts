import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The text of a PDF as Debian's pdftotext (poppler-utils) reads it: what a person, or a
 * screen reader, gets from the file. CI installs it (.ci/run); with CI=true a missing
 * pdftotext fails the test rather than skipping it.
 */
export const PDFTOTEXT_MISSING = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return false;
  } catch {
    if (process.env.CI === 'true') throw new Error('CI=true but pdftotext is not installed');
    console.warn('⚠️  PDF text tests SKIPPED: pdftotext is missing (apt-get install poppler-utils)');
    return true;
  }
})();

/** `raw`: in the order the PDF draws it (a table cell's lines stay together). */
export function pdfText(pdf: Uint8Array, mode: 'reading' | 'raw' = 'reading'): string {
  const dir = mkdtempSync(join(tmpdir(), 'evident-pdf-'));
  try {
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    return execFileSync(
      'pdftotext',
      [...(mode === 'raw' ? ['-raw'] : []), '-enc', 'UTF-8', file, '-'],
      {
        encoding: 'utf8',
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** pdffonts' table: every font the PDF uses, and whether it is embedded. */
export function pdfFonts(pdf: Uint8Array): { name: string; embedded: boolean }[] {
  const dir = mkdtempSync(join(tmpdir(), 'evident-pdf-'));
  try {
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    const lines = execFileSync('pdffonts', [file], { encoding: 'utf8' }).split('\n').slice(2);
    return lines
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const cells = l.trim().split(/\s+/);
        // name, type words…, encoding, emb, sub, uni, object, id: emb is 5th from the end.
        return { name: cells[0]!, embedded: cells[cells.length - 5] === 'yes' };
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
