import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { buildProgram, COMMAND_MODULES, programFor } from '../../src/cli/program.js';
import { packageVersion } from '../../src/cli/version.js';

/**
 * The CLI loads only the module of the command it runs: the table of modules must name
 * exactly the commands each registers, or a command would go missing when run by name.
 */
const argv = (...args: string[]) => ['node', 'evident', ...args];
const names = (program: Command) => program.commands.map((c) => c.name());

describe('the CLI program', () => {
  it('each command module registers exactly the commands listed for it', async () => {
    for (const m of COMMAND_MODULES) {
      const program = new Command();
      (await m.load())(program);
      assert.deepEqual(names(program), [...m.names], m.names.join(', '));
    }
  });

  it('the full program has every listed command once, in the listed order', async () => {
    const listed = COMMAND_MODULES.flatMap((m) => m.names);
    assert.equal(new Set(listed).size, listed.length, 'a command listed twice');
    assert.deepEqual(names(await buildProgram()), listed);
  });

  it('a named command loads only its own module; the version none; anything else all', async () => {
    assert.deepEqual(names(await programFor(argv('search', '--actor', 'u-1'))), ['search']);
    assert.deepEqual(names(await programFor(argv('logout'))), ['login', 'logout']);
    assert.deepEqual(names(await programFor(argv('--version'))), []);
    const all = COMMAND_MODULES.flatMap((m) => m.names);
    for (const other of [argv(), argv('--help'), argv('help', 'search'), argv('serch')]) {
      assert.deepEqual(names(await programFor(other)), all, other.join(' '));
    }
  });

  it('runs from the command line: the version, a command by name, a mistyped one', () => {
    const run = (...args: string[]) =>
      execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    assert.equal(run('--version').trim(), packageVersion());
    assert.match(run('verify', '--help'), /Usage: evident verify/);
    assert.throws(
      () => run('serch'),
      (error: { stderr?: string }) => /did you mean search/i.test(error.stderr ?? ''),
    );
  });
});
