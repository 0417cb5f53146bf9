/**
 * Every alert rule id the documentation names exists: the ISO 27001 pack's rules, the
 * built-in source-health rules, or a rule a documented example file defines itself.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadPack } from '../../src/monitor/packs/packs.js';
import { compileLayers } from '../../src/monitor/rules/compile-layers.js';
import { CLOCK_SKEW_RULE, SILENT_RULE } from '../../src/monitor/sources/source-observer.js';
import { repoRoot } from '../support/vectors.js';

const DOCS = [
  join(repoRoot, 'README.md'),
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(repoRoot, 'docs', name)),
];

/** Rule ids named in a Markdown text: pack-style ids, `"rule_id": "…"` values, `--rule X`. */
function mentionedRuleIds(text: string): string[] {
  const ids = new Set<string>();
  for (const m of text.matchAll(/\biso(?:27001)?[._][a-z0-9_-]*[a-z0-9](?![a-z0-9_.-]*\.yaml)/g))
    if (!m[0].endsWith('.yaml') && m[0] !== 'iso27001') ids.add(m[0]);
  for (const m of text.matchAll(/"rule_id"\s*:\s*"([^"…]+)"/g)) ids.add(m[1]!);
  for (const m of text.matchAll(/--rule[ =]([A-Za-z0-9._-]+)/g)) ids.add(m[1]!);
  return [...ids];
}

/** Ids defined by the example rule files in the docs (`- id: …` inside yaml blocks). */
function exampleRuleIds(text: string): string[] {
  const ids: string[] = [];
  for (const block of text.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
    if (!/^rules:/m.test(block[1]!)) continue;
    for (const m of block[1]!.matchAll(/^\s*- id:\s*([A-Za-z0-9._-]+)/gm)) ids.push(m[1]!);
  }
  return ids;
}

describe('rule ids in the documentation', () => {
  const pack = loadPack('iso27001');
  const compiled = compileLayers([{ layer: 'pack', file: pack.file, text: pack.text }]);
  assert.ok(compiled.ok);
  const known = new Set([
    ...compiled.ruleSet.active.map((r) => r.id),
    CLOCK_SKEW_RULE,
    SILENT_RULE,
  ]);

  it('finds a misspelt id (the check is not vacuous)', () => {
    assert.deepEqual(mentionedRuleIds('"rule_id": "iso27001.failed_sign_ins"'), [
      'iso27001.failed_sign_ins',
    ]);
    assert.deepEqual(mentionedRuleIds('see `iso.failed-sign-ins` and iso27001.yaml'), [
      'iso.failed-sign-ins',
    ]);
  });

  for (const file of DOCS) {
    const name = file.slice(repoRoot.length + 1);
    it(`${name} names only rules that exist`, () => {
      const text = readFileSync(file, 'utf8');
      const allowed = new Set([...known, ...exampleRuleIds(text)]);
      const unknown = mentionedRuleIds(text).filter((id) => !allowed.has(id));
      assert.deepEqual(unknown, [], `unknown rule ids in ${name}`);
    });
  }

  it('the docs name pack rules at all', () => {
    const all = DOCS.flatMap((f) => mentionedRuleIds(readFileSync(f, 'utf8')));
    assert.ok(all.filter((id) => known.has(id)).length >= 5, all.join(' '));
  });
});
