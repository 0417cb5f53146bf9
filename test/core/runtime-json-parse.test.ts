/**
 * Evident parses every ingest body with the runtime's JSON.parse, so a runtime that decodes
 * an object key wrongly would store an event other than the one sent. Node 26.8.2 and
 * 26.10.0 (V8 14.6) can read the one-character key "\r" as "\\" (seen in the generated-record
 * tests, and every time in a fresh `node -e`); this pins it so such a runtime fails here, by
 * name. The parse runs in a fresh process because whether V8 takes the faulty path depends
 * on the state of the process.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';

const CASES: [string, unknown][] = [
  ['{"\\r":{"\\\\":1}}', { '\r': { '\\': 1 } }],
  ['{"b":{"\\r":{"\\\\":1}}}', { b: { '\r': { '\\': 1 } } }],
  ['{"b":{"\\n":{"\\"":1},"\\t":{"\\/":2}}}', { b: { '\n': { '"': 1 }, '\t': { '/': 2 } } }],
  ['{"b":{"\\u0041":{"\\\\":1}}}', { b: { A: { '\\': 1 } } }],
];

/** JSON.parse of each text in a fresh `node -e`, answered as JSON with keys escaped. */
function parseInFreshProcess(texts: string[]): unknown[] {
  const script =
    'const texts = JSON.parse(process.argv[1]);' +
    'process.stdout.write(JSON.stringify(texts.map((t) => JSON.parse(t))));';
  const out = execFileSync(process.execPath, ['-e', script, JSON.stringify(texts)], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as unknown[];
}

describe("the runtime's JSON.parse", () => {
  it('decodes escaped one-character keys exactly, at any depth, in a fresh process', () => {
    const parsed = parseInFreshProcess(CASES.map(([text]) => text));
    CASES.forEach(([text, expected], i) => {
      assert.deepEqual(parsed[i], expected, `JSON.parse(${text}) on Node ${process.version}`);
    });
  });
});
