import * as http from 'node:http';
import * as path from 'node:path';
import * as https from 'node:https';
import { readFileSync } from 'node:fs';
import { modemTransport } from '../../../src/docker/dockerModem';
import { createEngineApi, EngineError } from '../../../src/docker/engineApi';
import { makePki } from '../../helpers/tls';
import { tempDir } from '../../helpers/tempDir';

/** The client against an in-process server on a unix socket. */
describe('createEngineApi', () => {
  const dir = tempDir('engine');
  const socketPath = path.join(dir, 'docker.sock');
  let handler: http.RequestListener = () => undefined;
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  const api = createEngineApi({ transport: modemTransport({ kind: 'unix', socketPath }, 300), timeoutMs: 300, maxBodyBytes: 1000 });
  beforeAll(() => new Promise<void>((resolve) => server.listen(socketPath, resolve)));
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const reply =
    (status: number, body: string, headers: Record<string, string> = {}): http.RequestListener =>
    (_req, res) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Api-Version': '1.43', ...headers });
      res.end(body);
    };

  it('GETs the path as given, parses JSON and reads the Api-Version header', async () => {
    handler = reply(200, '{"ServerVersion":"24.0.7"}');
    expect(await api.get('/info')).toEqual({ body: { ServerVersion: '24.0.7' }, apiVersion: '1.43' });
    expect(requests.at(-1)).toBe('GET /info');
  });

  it("fails with the daemon's own message and the status on an HTTP error", async () => {
    handler = reply(404, '{"message":"No such container: abc"}');
    await expect(api.get('/containers/abc/json')).rejects.toMatchObject({
      kind: 'http',
      status: 404,
      message: 'GET /containers/abc/json: HTTP 404: No such container: abc',
    });
  });

  it.each([
    ['a path of the daemon', '/containers/json?all=1'],
    ['another host (nothing listens there)', 'http://127.0.0.1:1/stolen'],
    ['a scheme no client speaks', 'gopher:thing'],
  ])(
    'does not follow a redirect to %s: the answer is an HTTP error, and only the path asked for was requested',
    async (_what, location) => {
      handler = reply(301, '', { Location: location });
      const before = requests.length;
      await expect(api.get('/_ping')).rejects.toMatchObject({ kind: 'http', status: 301, message: 'GET /_ping: HTTP 301' });
      // A follow-up request, or its failure, would surface by now.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(requests.slice(before)).toEqual(['GET /_ping']);
    },
  );

  it('holds to one deadline for the whole answer, however slowly it drips', async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 20);
    };
    await expect(api.get('/info')).rejects.toMatchObject({ kind: 'timeout' });
  });

  it("reads no more than a few hundred bytes of an error's text, however long it is", async () => {
    handler = (_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      // 64 MiB would be held whole by docker-modem's own error path.
      const chunk = 'x'.repeat(1 << 16);
      let sent = 0;
      const more = () => {
        while (sent < 1024 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return res.once('drain', more);
        }
        res.end();
      };
      more();
    };
    const err = await api.get('/info').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'http', status: 500 });
    expect((err as Error).message.length).toBeLessThan(300);
  });

  it('says to turn TLS on when a TLS daemon gets plain HTTP', async () => {
    handler = reply(400, 'Client sent an HTTP request to an HTTPS server.\n', { 'Content-Type': 'text/plain' });
    await expect(api.get('/version')).rejects.toThrow(
      'GET /version: HTTP 400: Client sent an HTTP request to an HTTPS server. (the daemon speaks TLS: set --docker.tls-verify or DOCKER_TLS_VERIFY=1)',
    );
  });

  it('sends the query of a path as given (the events filter, all containers)', async () => {
    handler = reply(200, '[]');
    await api.getEach('/containers/json?all=1', () => undefined);
    expect(requests.at(-1)).toBe('GET /containers/json?all=1');
    const filters = encodeURIComponent(JSON.stringify({ type: ['container', 'image'] }));
    handler = (_req, res) => res.writeHead(200).end();
    await new Promise<string>((resolve) =>
      api.stream(`/events?filters=${filters}`, { onOpen: () => undefined, onEvent: () => undefined, onClose: resolve }),
    );
    expect(decodeURIComponent(requests.at(-1) ?? '')).toBe(`GET /events?filters=${JSON.stringify({ type: ['container', 'image'] })}`);
  });

  it('refuses an answer over the size cap, and one that is not JSON', async () => {
    handler = reply(200, `"${'x'.repeat(2000)}"`);
    await expect(api.get('/info')).rejects.toMatchObject({ kind: 'too_large' });
    handler = reply(200, '<html>');
    await expect(api.get('/info')).rejects.toMatchObject({ kind: 'invalid_json' });
  });

  it('hands a list over element by element, past the size cap for single answers', async () => {
    const list = Array.from({ length: 100 }, (_, i) => ({ Id: String(i) }));
    handler = reply(200, JSON.stringify(list));
    const seen: unknown[] = [];
    await api.getEach('/containers/json?all=1', (item) => seen.push(item));
    expect(seen).toEqual(list);
    expect(requests.at(-1)).toBe('GET /containers/json?all=1');
  });

  it('says what is wrong with the socket: missing or refused', async () => {
    const missing = createEngineApi({
      transport: modemTransport({ kind: 'unix', socketPath: path.join(dir, 'absent.sock') }, 300),
      timeoutMs: 300,
    });
    await expect(missing.get('/_ping')).rejects.toMatchObject({ kind: 'missing' });
    const refused = createEngineApi({ transport: modemTransport({ kind: 'tcp', host: '127.0.0.1', port: 1 }, 300), timeoutMs: 300 });
    await expect(refused.get('/_ping')).rejects.toBeInstanceOf(EngineError);
    await expect(refused.get('/_ping')).rejects.toMatchObject({ kind: 'refused' });
  });

  it('streams events line by line, and closes once', async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      res.write('{"Type":"container","Action":"start"}\n{"Type":"con');
      setTimeout(() => res.end('tainer","Action":"die"}\n'), 20);
    };
    const events: unknown[] = [];
    const closed = await new Promise<string>((resolve) => {
      api.stream('/events?filters=x', { onOpen: () => undefined, onEvent: (e) => events.push(e), onClose: resolve });
    });
    expect(events).toEqual([
      { Type: 'container', Action: 'start' },
      { Type: 'container', Action: 'die' },
    ]);
    expect(closed).toBe('GET /events: the daemon closed the stream');
  });
});

/** TLS as the docker CLI speaks it: the daemon's certificate checked against ca.pem, the client's sent. */
describe('createEngineApi over TLS', () => {
  const dir = tempDir('engine-tls');
  const pki = makePki(dir);
  const other = makePki(tempDir('engine-tls-other'));
  const server = https.createServer(
    {
      key: readFileSync(pki.serverKey),
      cert: readFileSync(pki.serverCert),
      ca: readFileSync(pki.caCert),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (_req, res) => res.writeHead(200, { 'Api-Version': '1.41' }).end('{"Version":"20.10.24"}'),
  );
  let port = 0;
  beforeAll(
    () =>
      new Promise<void>((resolve) =>
        server.listen(0, '127.0.0.1', () => ((port = (server.address() as { port: number }).port), resolve())),
      ),
  );
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const connect = (files: { ca: string; cert: string; key: string }) =>
    createEngineApi({
      transport: modemTransport(
        {
          kind: 'tcp',
          host: '127.0.0.1',
          port,
          tls: { ca: readFileSync(files.ca), cert: readFileSync(files.cert), key: readFileSync(files.key) },
        },
        2000,
      ),
      timeoutMs: 2000,
    });

  it('reads the daemon with the right certificates', async () => {
    await expect(connect({ ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey }).get('/version')).resolves.toEqual({
      body: { Version: '20.10.24' },
      apiVersion: '1.41',
    });
  });

  it('refuses a daemon whose certificate another CA signed, and says it is TLS', async () => {
    const err = await connect({ ca: other.caCert, cert: pki.clientCert, key: pki.clientKey })
      .get('/version')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'tls' });
    expect((err as Error).message).toMatch(/^GET \/version: .*certificate/);
  });

  it('fails, not hangs, when the daemon refuses the client certificate', async () => {
    const err = await connect({ ca: pki.caCert, cert: other.clientCert, key: other.clientKey })
      .get('/version')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(['tls', 'unreachable']).toContain((err as EngineError).kind);
  });
});
