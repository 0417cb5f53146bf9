/**
 * The OpenAPI part for alert rules (docs/rules.md): paths and schemas that
 * openapi.ts spreads into the document.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { $ref: `#/components/responses/Error${s}` }]),
  );
const ruleFileBody = {
  required: true,
  description:
    'A rule file (docs/rules.md): YAML, or the same structure as JSON. Problems name api:<line>:<col> and a path.',
  content: {
    'application/yaml': { schema: { type: 'string' } },
    'text/yaml': { schema: { type: 'string' } },
    'text/plain': { schema: { type: 'string' } },
    'application/json': { schema: { type: 'object' } },
  },
};

export function rulePaths(): Record<string, unknown> {
  return {
    '/api/v1/rules': {
      get: {
        summary: 'Active alert rules, their layers and the engine position (rules.read)',
        description:
          'Rules of the built-in pack, the server rules file and the API layer, merged (a later layer replaces a rule with the same id). Each layer shows its text, SHA-256 and the seq its rules apply from.',
        responses: {
          '200': { description: 'Rules', content: json(ref('RuleSetView')) },
          ...errors(400, 401, 403),
        },
      },
      put: {
        summary: 'Replace the API rule layer (rules.manage; audited rules.update)',
        description:
          'Validated against the pack and the rules file. The change is appended to the log as a rules.update event (details: layer, sha256, rules) and applies to the entries after it; earlier entries keep the verdicts of the rules active then. `rules: []` clears the layer.',
        requestBody: ruleFileBody,
        responses: {
          '200': {
            description: 'Recorded',
            content: json({
              type: 'object',
              required: ['sha256', 'event_seq', 'from_seq', 'active_rules', 'rules'],
              properties: {
                sha256: { type: 'string' },
                event_seq: { type: 'integer', description: 'Seq of the rules.update event' },
                from_seq: { type: 'integer', description: 'First seq judged by these rules' },
                active_rules: { type: 'integer' },
                rules: { type: 'array', items: ref('Rule') },
              },
            }),
          },
          ...errors(400, 401, 403, 409, 413, 415),
        },
      },
    },
    '/api/v1/rules/validate': {
      post: {
        summary: 'Check a rule file without applying it (rules.read)',
        requestBody: ruleFileBody,
        responses: {
          '200': {
            description: 'The verdict',
            content: json({
              type: 'object',
              required: ['valid', 'problems', 'rules'],
              properties: {
                valid: { type: 'boolean' },
                problems: { type: 'array', items: ref('RuleProblem') },
                rules: { type: 'array', items: ref('Rule') },
              },
            }),
          },
          ...errors(400, 401, 403, 413, 415),
        },
      },
    },
  };
}

export function ruleSchemas(): Record<string, unknown> {
  return {
    Rule: {
      type: 'object',
      required: ['id', 'title', 'severity', 'kind', 'enabled', 'layer', 'definition'],
      properties: {
        id: { type: 'string' },
        title: { type: 'string' },
        description: { type: ['string', 'null'] },
        severity: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
        kind: { type: 'string', enum: ['match', 'threshold', 'sequence', 'new_value'] },
        enabled: { type: 'boolean' },
        layer: { type: 'string', enum: ['pack', 'file', 'api'] },
        definition: { type: 'object', description: 'The rule as written' },
      },
    },
    RuleProblem: {
      type: 'object',
      required: ['line', 'col', 'path', 'message', 'text'],
      properties: {
        line: { type: 'integer', description: '1-based; 0 when the problem has no position' },
        col: { type: 'integer' },
        path: { type: 'string', examples: ['rules[2].threshold.window'] },
        message: { type: 'string', description: 'What to fix' },
        text: { type: 'string', description: 'file:line:col: path: message' },
      },
    },
    RuleSetView: {
      type: 'object',
      required: ['rules', 'packs', 'problems', 'layers', 'engine'],
      properties: {
        rules: { type: 'array', items: ref('Rule') },
        packs: { type: 'object', additionalProperties: { type: 'boolean' } },
        problems: {
          type: 'array',
          items: ref('RuleProblem'),
          description:
            'Non-empty only when stored layers no longer combine (e.g. after an upgrade)',
        },
        layers: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              layer: { type: 'string', enum: ['pack', 'file', 'api'] },
              file: { type: 'string' },
              sha256: { type: 'string' },
              event_seq: { type: 'integer' },
              from_seq: { type: 'integer' },
              updated_at: { type: 'string', format: 'date-time' },
              updated_by: { type: 'string' },
              text: { type: 'string' },
            },
          },
        },
        engine: {
          type: ['object', 'null'],
          description: 'Where the engine is (persisted at most once a second while busy)',
          properties: {
            position: { type: 'integer', description: 'Next seq to evaluate' },
            layers: { type: 'object', additionalProperties: { type: 'string' } },
            saved_at: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
  };
}
