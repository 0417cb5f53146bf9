import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatVerifier, makeVerifier, parseVerifier } from '../../../src/gateway/auth/scram.js';
import { ScramClient } from '../../../src/gateway/auth/scram-client.js';
import { ScramError, ScramServer } from '../../../src/gateway/auth/scram-server.js';

// RFC 7677 §3: the SCRAM-SHA-256 example exchange.
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const CLIENT_FIRST = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO';
const SERVER_NONCE = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const SERVER_FIRST =
  'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const CLIENT_FINAL =
  'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

describe('SCRAM-SHA-256', () => {
  const verifier = makeVerifier('pencil', SALT, 4096);

  it('server side reproduces the RFC 7677 exchange', () => {
    const server = new ScramServer(verifier, Buffer.alloc(16), SERVER_NONCE);
    assert.equal(server.start(CLIENT_FIRST), SERVER_FIRST);
    assert.equal(server.finish(CLIENT_FINAL), SERVER_FINAL);
  });

  it('client side reproduces the RFC 7677 exchange (without a user name, as libpq sends)', () => {
    const client = new ScramClient('pencil', 'rOprNGfwEbeRWgbNEkqO');
    assert.equal(client.clientFirst(), 'n,,n=,r=rOprNGfwEbeRWgbNEkqO');
    const server = new ScramServer(verifier, Buffer.alloc(16), SERVER_NONCE);
    const final = server.finish(client.clientFinal(server.start(client.clientFirst())));
    client.verifyServerFinal(final);
  });

  it('refuses a wrong proof, an unknown person and a tampered nonce', () => {
    const wrong = new ScramServer(
      makeVerifier('other', SALT, 4096),
      Buffer.alloc(16),
      SERVER_NONCE,
    );
    wrong.start(CLIENT_FIRST);
    assert.throws(() => wrong.finish(CLIENT_FINAL), ScramError);
    const unknown = new ScramServer(undefined, Buffer.alloc(16, 7), SERVER_NONCE);
    assert.match(
      unknown.start(CLIENT_FIRST),
      /s=BwcHBwcHBwcHBwcHBwcHBw==/,
      'a mock salt, not an error',
    );
    assert.throws(() => unknown.finish(CLIENT_FINAL), ScramError);
    const tampered = new ScramServer(verifier, Buffer.alloc(16), SERVER_NONCE);
    tampered.start(CLIENT_FIRST);
    assert.throws(() => tampered.finish(CLIENT_FINAL.replace('rOpr', 'xOpr')), /nonce/);
  });

  it('refuses channel binding it does not offer', () => {
    const server = new ScramServer(verifier, Buffer.alloc(16), SERVER_NONCE);
    assert.throws(() => server.start('p=tls-server-end-point,,n=,r=abc'), ScramError);
  });

  it("verifiers round-trip in pg_authid's text form", () => {
    const text = formatVerifier(verifier);
    assert.match(text, /^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$/);
    assert.deepEqual(parseVerifier(text), verifier);
    assert.equal(parseVerifier('md5abc'), undefined);
  });
});
