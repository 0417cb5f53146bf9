import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EvaluatorThread } from '../../../src/monitor/engine/evaluator-thread.js';
import { DEFAULT_LIMITS } from '../../../src/monitor/engine/limits.js';
import { RuleFileError } from '../../../src/monitor/rules/problems.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');

const THRESHOLD = `rules:
  - id: failed
    title: Failed sign-ins
    severity: high
    match: { action: { suffix: .sign_in }, outcome: failure }
    threshold: { count: 2, window: 10m, group_by: [actor.id] }
`;

/** The packages a source file and everything it imports (statically, transitively) load. */
function packagesImportedBy(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    // Type-only imports load nothing at run time.
    for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) {
      const [, typeOnly, specifier] = m as unknown as [string, string | undefined, string];
      if (typeOnly) continue;
      if (specifier.startsWith('.')) {
        const target = join(dirname(file), specifier).replace(/\.js$/, '.ts');
        assert.ok(existsSync(target), `${file} imports ${specifier}, which is not there`);
        visit(target);
      } else if (!specifier.startsWith('node:')) packages.add(specifier);
    }
  };
  visit(entry);
  return packages;
}

describe('the evaluator thread', () => {
  it('never loads the YAML parser: the engine parses the rule texts and sends plain data', () => {
    const packages = packagesImportedBy(join(SRC, 'monitor/engine/evaluator-worker.ts'));
    assert.ok(!packages.has('yaml'), `the worker loads ${[...packages].join(', ')}`);
    // The walk sees imports at all: the engine's own side does load the parser.
    assert.ok(packagesImportedBy(join(SRC, 'monitor/engine/evaluator-thread.ts')).has('yaml'));
  });

  it('evaluates with rules it was sent as text', async () => {
    const thread = new EvaluatorThread();
    try {
      await thread.load(
        [{ layer: 'file', file: 'rules.yaml', text: THRESHOLD }],
        undefined,
        DEFAULT_LIMITS,
        undefined,
      );
      const failure = (id: string, second: number) =>
        JSON.stringify({
          id,
          time: `2026-12-01T10:00:0${second}.000Z`,
          received_at: `2026-12-01T10:00:0${second}.000Z`,
          actor: { id: 'u-1' },
          action: 'auth.sign_in',
          target: { id: 'app' },
          outcome: 'failure',
        });
      const page = await thread.evaluate({
        from: 7,
        sources: ['app', 'app'],
        records: [
          failure('01KBQ0000000000000000000A1', 1),
          failure('01KBQ0000000000000000000A2', 2),
        ],
      });
      assert.deepEqual(
        page.alerts.map((a) => [a.key, a.seqs]),
        [['failed:8', [7, 8]]],
      );
    } finally {
      await thread.close();
    }
  });

  it('refuses a rule text that does not parse with its file and line, before the thread sees it', async () => {
    const thread = new EvaluatorThread();
    try {
      const broken = 'rules:\n  - id: x\n    severity: [unclosed\n';
      const refused = await thread
        .load(
          [{ layer: 'file', file: 'broken.yaml', text: broken }],
          undefined,
          DEFAULT_LIMITS,
          undefined,
        )
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      assert.ok(refused instanceof RuleFileError, `got ${String(refused)}`);
      assert.equal(refused.problems[0]?.file, 'broken.yaml');
      assert.ok(refused.problems[0]!.line > 0);
      assert.ok(thread.alive, 'a refused text leaves the thread as it was');
    } finally {
      await thread.close();
    }
  });
});
