import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';

export interface TestPki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });

/** A certificate `name`.crt with its key `name`.key, signed by the CA of makePki in `dir`. */
export function issueCertificate(dir: string, name: string, subject: string, ext: string): { cert: string; key: string } {
  const f = (file: string) => path.join(dir, file);
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
  writeFileSync(f(`${name}.ext`), ext);
  ssl(
    'x509',
    '-req',
    '-in',
    f(`${name}.csr`),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f(`${name}.ext`),
    '-out',
    f(`${name}.crt`),
  );
  return { cert: f(`${name}.crt`), key: f(`${name}.key`) };
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl in `dir`. */
export function makePki(dir: string): TestPki {
  const f = (name: string) => path.join(dir, name);
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=test-ca', '-keyout', f('ca.key'), '-out', f('ca.crt'));
  issueCertificate(dir, 'server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  issueCertificate(dir, 'client', '/CN=prometheus', 'extendedKeyUsage=clientAuth\n');
  return {
    caCert: f('ca.crt'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
  };
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request trusting `ca`, with optional basic auth and client certificate. */
export function httpsRequest(
  url: string,
  options: { ca: string; auth?: string; method?: string; cert?: string; key?: string },
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? 'GET',
        ca: readFileSync(options.ca),
        cert: options.cert ? readFileSync(options.cert) : undefined,
        key: options.key ? readFileSync(options.key) : undefined,
        headers: options.auth ? { Authorization: `Basic ${Buffer.from(options.auth).toString('base64')}` } : {},
        timeout: 10000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}
