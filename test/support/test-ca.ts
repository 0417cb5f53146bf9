import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestPki {
  caFile: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/**
 * A throw-away CA (made with the openssl command) that signs a server certificate for
 * 127.0.0.1 / CN evident.test and a client certificate with CN `clientCn`: TLS in the tests
 * is verified both ways, not waved through.
 */
export function makeTestPki(dir: string, clientCn = 'web1'): TestPki {
  const f = (name: string) => join(dir, name);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const ecKey = (out: string) =>
    run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', out]);
  ecKey(f('ca.key'));
  run([
    'req',
    '-x509',
    '-new',
    '-key',
    f('ca.key'),
    '-days',
    '2',
    '-subj',
    '/CN=Evident Test CA',
    '-out',
    f('ca.pem'),
  ]);
  const issue = (name: string, cn: string, ext: string) => {
    ecKey(f(`${name}.key`));
    run(['req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${cn}`, '-out', f(`${name}.csr`)]);
    writeFileSync(f(`${name}.ext`), ext);
    run([
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f(`${name}.ext`),
      '-out',
      f(`${name}.pem`),
    ]);
  };
  issue(
    'server',
    'evident.test',
    'subjectAltName=IP:127.0.0.1,DNS:evident.test\nextendedKeyUsage=serverAuth\n',
  );
  issue('client', clientCn, `subjectAltName=DNS:${clientCn}\nextendedKeyUsage=clientAuth\n`);
  return {
    caFile: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
  };
}
