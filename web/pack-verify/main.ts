/**
 * verify.html: the auditor picks the unzipped pack and pastes a key; the page runs
 * src/evidence/verify-pack.ts (the core bundled for the browser) and shows the result per
 * control. Nothing is fetched: files come from the file picker, the key from the auditor.
 */
import { type PackVerdict, verifyPack } from '../../src/evidence/verify-pack.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

$('verify').addEventListener('click', () => {
  void run();
});

async function run(): Promise<void> {
  const summary = $('summary');
  const result = $('result');
  result.replaceChildren();
  const picked = [
    ...($<HTMLInputElement>('folder').files ?? []),
    ...($<HTMLInputElement>('files').files ?? []),
  ];
  const key = $<HTMLTextAreaElement>('key').value.trim();
  if (picked.length === 0 || key === '') {
    show(summary, false, 'Choose the pack folder (or its files) and paste the verifier key first.');
    return;
  }
  const files = new Map<string, Uint8Array>();
  for (const file of picked) files.set(packName(file), new Uint8Array(await file.arrayBuffer()));
  let verdict: PackVerdict;
  try {
    verdict = verifyPack(files, key);
  } catch (error) {
    show(summary, false, `The pack could not be checked: ${(error as Error).message}`);
    return;
  }
  const f = verdict.firstFailure;
  show(
    summary,
    verdict.ok,
    verdict.ok
      ? `Verified: every file, the notarisation and every proof check out against the checkpoint of size ${verdict.checkpoint?.size} of ${verdict.origin}.`
      : `NOT verified. First failure: ${f ? `${f.subject}: ${f.detail}` : 'no manifest'}`,
  );
  if (verdict.period)
    result.append(
      para(
        `Period ${verdict.period.from} – ${verdict.period.to} (server time); reports as of tree size ${verdict.reportsAsOf?.tree_size}.`,
      ),
    );
  result.append(
    table(
      'controls',
      ['Control', 'Result', 'Evidence'],
      verdict.controls.map((c) => ({
        attrs: { 'data-control': c.id, 'data-ok': String(c.ok) },
        cells: [
          `${c.id} ${c.title}`,
          c.ok ? 'verified' : 'FAILED',
          c.ok ? `${c.evidence} (${c.files.join(', ')})` : (c.problem ?? ''),
        ],
      })),
    ),
    table(
      'checks',
      ['File', 'Result', 'Detail'],
      verdict.checks.map((c) => ({
        attrs: { 'data-subject': c.subject, 'data-ok': String(c.ok) },
        cells: [c.subject, c.ok ? 'ok' : 'FAILED', c.detail],
      })),
    ),
  );
}

/** A picked folder gives `pack/manifest.json`: the pack's own names are below that folder. */
function packName(file: File): string {
  const path = file.webkitRelativePath || file.name;
  const slash = path.indexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}

function show(el: HTMLElement, ok: boolean, text: string): void {
  el.dataset.ok = String(ok);
  el.textContent = text;
}

function para(text: string): HTMLElement {
  const p = document.createElement('p');
  p.textContent = text;
  return p;
}

function table(
  id: string,
  head: string[],
  rows: { attrs: Record<string, string>; cells: string[] }[],
): HTMLTableElement {
  const t = document.createElement('table');
  t.id = id;
  const tr = t.createTHead().insertRow();
  for (const h of head) {
    const th = document.createElement('th');
    th.textContent = h;
    tr.append(th);
  }
  const body = t.createTBody();
  for (const row of rows) {
    const r = body.insertRow();
    for (const [k, v] of Object.entries(row.attrs)) r.setAttribute(k, v);
    row.cells.forEach((text, i) => {
      const cell = r.insertCell();
      cell.textContent = text;
      if (i === 1) cell.className = text === 'ok' || text === 'verified' ? 'ok' : 'fail';
    });
  }
  return t;
}
