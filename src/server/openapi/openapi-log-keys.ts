/**
 * The OpenAPI part for the log's signing-key history (GET /api/v1/log/keys): paths and
 * schemas that openapi.ts spreads into the document.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const nullableInt = { type: ['integer', 'null'], minimum: 0 };
const nullableTime = { type: ['string', 'null'], format: 'date-time' };

export function logKeyPaths(): Record<string, unknown> {
  return {
    '/api/v1/log/keys': {
      get: {
        summary: "The log's signing keys, oldest first, with the tree sizes each signs (public)",
        description:
          "Verifier keys are public material: no token needed. A key signs the checkpoints whose size is in [from_size, until_size]; at a rotation the handover checkpoint (size = the new key's from_size) is signed by both keys and is returned with the new key, so a verifier holding an old key can chain to the current one.",
        security: [],
        responses: {
          '200': {
            description: 'Key history',
            content: { 'application/json': { schema: ref('LogKeys') } },
          },
          '400': { $ref: '#/components/responses/Error400' },
          '503': { $ref: '#/components/responses/Error503' },
        },
      },
    },
  };
}

export function logKeySchemas(): Record<string, unknown> {
  return {
    LogKeys: {
      type: 'object',
      required: ['origin', 'current', 'keys'],
      properties: {
        origin: { type: 'string', description: 'Log origin (checkpoint first line, key name)' },
        current: { type: 'string', description: 'The verifier key that signs new checkpoints' },
        keys: { type: 'array', items: ref('LogKey') },
      },
    },
    LogKey: {
      type: 'object',
      required: [
        'verifier_key',
        'key_id',
        'from_size',
        'until_size',
        'from_time',
        'until_time',
        'handover_checkpoint',
      ],
      properties: {
        verifier_key: {
          type: 'string',
          description: '<origin>+<8 hex key id>+<base64(0x01 ‖ Ed25519 public key)>',
        },
        key_id: { type: 'string', pattern: '^[0-9a-f]{8}$' },
        from_size: { type: 'integer', minimum: 0, description: 'First tree size it signs' },
        until_size: {
          ...nullableInt,
          description: 'Last tree size it signs (its handover); null for the current key',
        },
        from_time: { type: 'string', format: 'date-time' },
        until_time: nullableTime,
        handover_checkpoint: {
          type: ['string', 'null'],
          description:
            'The checkpoint of size from_size, signed by this key and the one before (null for the first key)',
        },
      },
    },
  };
}
