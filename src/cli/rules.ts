import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadPack } from '../monitor/packs/packs.js';
import { compileLayers } from '../monitor/rules/compile-layers.js';
import { formatProblem } from '../monitor/rules/problems.js';
import { apiClient, TOKEN_HELP, URL_HELP } from './api-command.js';

interface RuleView {
  id: string;
  title: string;
  severity: string;
  kind: string;
  enabled: boolean;
  layer: string;
}

/** Exit status of `rules check` when the file has problems (1 stays "could not run"). */
const INVALID = 2;

export function rulesCommand(program: Command): void {
  const rules = program
    .command('rules')
    .description('alert rules: check a rules file offline, list the active rules');

  rules
    .command('check')
    .description(
      'validate a rules file as `evident serve --rules FILE` would (with the built-in pack); exit 2 on problems',
    )
    .argument('<file>', 'YAML or JSON rules file (docs/rules.md)')
    .option('--json', 'print the problems (or the rules) as JSON')
    .action((file: string, opts: { json?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new Error(`cannot read ${file}: ${(error as Error).message}`);
      }
      const pack = loadPack('iso27001');
      const result = compileLayers(
        [
          { layer: 'pack', file: pack.file, text: pack.text },
          { layer: 'file', file, text },
        ],
        true,
      );
      if (!result.ok) {
        if (opts.json)
          console.log(JSON.stringify({ valid: false, problems: result.problems }, null, 2));
        else {
          for (const p of result.problems) console.error(formatProblem(p));
          console.error(`${result.problems.length} problem(s); nothing was changed.`);
        }
        process.exitCode = INVALID;
        return;
      }
      const views = result.ruleSet.rules.map(
        (r): RuleView => ({
          id: r.id,
          title: r.title,
          severity: r.severity,
          kind: r.kind,
          enabled: r.enabled,
          layer: r.layer,
        }),
      );
      if (opts.json) {
        console.log(JSON.stringify({ valid: true, rules: views }, null, 2));
        return;
      }
      const own = views.filter((v) => v.layer === 'file').length;
      console.log(
        `${file}: valid; ${own} rule(s) of its own, ${result.ruleSet.active.length} active with the ${result.ruleSet.packs.iso27001 === false ? 'pack off' : 'iso27001 pack'}.`,
      );
      if (views.length > 0) console.table(views);
    });

  rules
    .command('list')
    .description('list the rules the server applies (pack, rules file, API), with their layer')
    .option('--json', 'print the server answer as JSON')
    .option('-u, --url <url>', URL_HELP)
    .option('-t, --token <token>', TOKEN_HELP)
    .option('-d, --data <dir>', 'data folder whose admin.token to use')
    .action(async (opts: { json?: boolean; url?: string; token?: string; data?: string }) => {
      const client = apiClient({ url: opts.url, token: opts.token, data: opts.data });
      const answer = await client.getJson<{
        rules: RuleView[];
        engine: { position: number } | null;
      }>('/api/v1/rules');
      if (opts.json) {
        console.log(JSON.stringify(answer, null, 2));
        return;
      }
      console.table(
        answer.rules.map((r) => ({
          id: r.id,
          severity: r.severity,
          kind: r.kind,
          enabled: r.enabled,
          layer: r.layer,
          title: r.title,
        })),
      );
      const active = answer.rules.filter((r) => r.enabled).length;
      console.error(
        `${active} of ${answer.rules.length} rule(s) enabled; engine ${answer.engine ? `at seq ${answer.engine.position}` : 'not started'}.`,
      );
    });

  rules
    .command('pack')
    .description('print the built-in ISO 27001 rule pack (a starting point for your own file)')
    .action(() => {
      process.stdout.write(loadPack('iso27001').text);
    });
}
