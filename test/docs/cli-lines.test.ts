/**
 * Every `evident …` command line in the README and docs/ names commands and options the
 * CLI has: a renamed option or a removed command must not live on in the documentation.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { repoRoot } from '../support/vectors.js';

const DOCS = [
  join(repoRoot, 'README.md'),
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(repoRoot, 'docs', name)),
];

/** `evident …` command lines: inline code spans and lines of fenced code blocks. */
function commandLines(text: string): string[] {
  const out: string[] = [];
  const fences = text.split(/^```.*$/m);
  fences.forEach((part, i) => {
    const inCode = i % 2 === 1;
    const candidates = inCode
      ? part.split('\n')
      : [...part.replace(/\n/g, ' ').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    for (const line of candidates) {
      const at = line.search(/(^|[\s$(|;&])evident [a-z-]/);
      if (at >= 0)
        out.push(
          line
            .slice(line.indexOf('evident ', at))
            .split(/\s+#\s/)[0]!
            .trim(),
        );
    }
  });
  return out;
}

function longOptions(command: Command): Set<string> {
  return new Set(
    [...command.options.map((o) => o.long), '--help', '--version'].filter(
      (o): o is string => o !== undefined,
    ),
  );
}

/** What is wrong with one command line, or undefined. */
function problemWith(line: string, program: Command): string | undefined {
  const tokens = line.split(/\s+/).slice(1);
  let command = program;
  let i = 0;
  for (; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.startsWith('-') || command.commands.length === 0) break;
    // `keys create|list|revoke`, `principals create\|list`: each alternative must exist.
    const names = token.replace(/\\/g, '').split('|');
    const found = names.map((n) => command.commands.find((c) => c.name() === n));
    if (found.every((c) => c !== undefined)) {
      if (names.length > 1) return undefined;
      command = found[0]!;
      continue;
    }
    if (/^[a-z][a-z-]*$/.test(names[0]!) && found[0] === undefined) {
      return `"${command.name()}" has no command "${names[0]}"`;
    }
    return undefined; // a placeholder such as <command> or …: options cannot be pinned down
  }
  const known = longOptions(command);
  for (const token of tokens.slice(i)) {
    const flag = /^[[(]?(--[a-z][a-z0-9-]*)/.exec(token)?.[1];
    if (flag && !known.has(flag)) return `"${command.name()}" has no option ${flag}`;
  }
  return undefined;
}

const program = await buildProgram();

describe('evident command lines in the documentation', () => {
  let total = 0;
  for (const file of DOCS) {
    const name = file.slice(repoRoot.length + 1);
    it(`${name}: every command and option exists`, () => {
      const lines = commandLines(readFileSync(file, 'utf8'));
      total += lines.length;
      const problems = lines
        .map((line) => [line, problemWith(line, program)] as const)
        .filter(([, problem]) => problem !== undefined)
        .map(([line, problem]) => `${line}  →  ${problem}`);
      assert.deepEqual(problems, []);
    });
  }

  it('finds command lines to check, and catches a wrong one', () => {
    assert.ok(total > 40, `${total} command lines`);
    assert.match(problemWith('evident keys craete --source x', program) ?? '', /no command/);
    assert.match(problemWith('evident init --dbb URL', program) ?? '', /no option --dbb/);
    assert.equal(problemWith('evident init --data D --db URL', program), undefined);
  });
});
