import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bodyFromForm,
  channelFieldPath,
  formFromJson,
  formPaths,
  pathNames,
  type SettingsJson,
} from '../../web/src/notification-form.js';

const READ: SettingsJson = {
  version: 4,
  updated_at: '2026-11-22T09:00:00.000Z',
  allow_internal: ['10.0.0.0/8', 'hooks.internal'],
  channels: [
    {
      type: 'webhook',
      id: 'soc-hook',
      enabled: false,
      min_severity: 'high',
      url: 'https://hooks.example.com/e',
      format: 'slack',
      secret_set: true,
    },
    {
      type: 'email',
      id: 'soc-mail',
      enabled: true,
      min_severity: 'low',
      smtp: {
        host: 'smtp.example.com',
        port: 465,
        tls: 'implicit',
        username: 'ev',
        password_set: true,
      },
      from: 'evident@example.com',
      to: ['a@example.com', 'b@example.com'],
    },
  ],
  delivery: {
    max_attempts: 10,
    timeout_ms: 10000,
    backoff_initial_ms: 30000,
    backoff_max_ms: 3600000,
  },
};

describe('the dashboard notification settings form', () => {
  it('sends back what it read, with version, and no secret it does not have', () => {
    assert.deepEqual(bodyFromForm(formFromJson(READ)), {
      version: 4,
      allow_internal: ['10.0.0.0/8', 'hooks.internal'],
      channels: [
        {
          type: 'webhook',
          id: 'soc-hook',
          enabled: false,
          min_severity: 'high',
          url: 'https://hooks.example.com/e',
          format: 'slack',
        },
        {
          type: 'email',
          id: 'soc-mail',
          enabled: true,
          min_severity: 'low',
          smtp: { host: 'smtp.example.com', port: 465, tls: 'implicit', username: 'ev' },
          from: 'evident@example.com',
          to: ['a@example.com', 'b@example.com'],
        },
      ],
      delivery: READ.delivery,
    });
  });

  it('sends a typed secret, and a number that is not one as typed so the server names it', () => {
    const form = formFromJson(READ);
    form.channels[0]!.secret = 'a new secret of enough characters';
    form.delivery.max_attempts = 'many';
    form.channels[1]!.port = '';
    const body = bodyFromForm(form) as {
      channels: Record<string, unknown>[];
      delivery: Record<string, unknown>;
    };
    assert.equal(body.channels[0]!.secret, 'a new secret of enough characters');
    assert.equal(body.delivery.max_attempts, 'many');
    assert.ok(!('port' in (body.channels[1]!.smtp as object)), 'an empty port takes the default');
  });

  it('puts a server error beside the field its path names, list items included', () => {
    assert.equal(channelFieldPath(1, 'host'), '$.channels[1].smtp.host');
    assert.equal(channelFieldPath(0, 'url'), '$.channels[0].url');
    assert.ok(pathNames('$.channels[1].to', '$.channels[1].to[2]'));
    assert.ok(pathNames('$.allow_internal', '$.allow_internal[0]'));
    assert.ok(!pathNames('$.channels[1].to', '$.channels[1].tolerance'));
    assert.ok(!pathNames('$.channels[1].id', undefined));
    const paths = formPaths(formFromJson(READ));
    assert.ok(paths.includes('$.channels[1].smtp.password'));
    assert.ok(!paths.includes('$.channels[0].fromat'), 'an unknown field is shown on top');
  });
});
