import * as http from 'node:http';
import * as path from 'node:path';
import { createEngineApi, EngineError, parseDockerHost } from '../../../src/docker/engineApi';
import { tempDir } from '../../helpers/tempDir';

describe('parseDockerHost', () => {
  it.each([
    ['unix:///var/run/docker.sock', { socketPath: '/var/run/docker.sock' }],
    ['tcp://10.0.0.1:2376', { host: '10.0.0.1', port: 2376 }],
    ['tcp://[::1]', { host: '::1', port: 2375 }],
  ])('%s', (text, endpoint) => expect(parseDockerHost(text)).toEqual(endpoint));
  it.each(['http://x', 'unix://relative', 'tcp://h:1/path'])('refuses %s', (text) => expect(() => parseDockerHost(text)).toThrow());
});

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
  const api = createEngineApi({ endpoint: { socketPath }, timeoutMs: 300, maxBodyBytes: 1000 });
  beforeAll(() => new Promise<void>((resolve) => server.listen(socketPath, resolve)));
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const reply = (status: number, body: string, headers: Record<string, string> = {}): http.RequestListener => (_req, res) => {
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
    await expect(api.get('/containers/abc/json')).rejects.toMatchObject({ kind: 'http', status: 404, message: 'GET /containers/abc/json: HTTP 404: No such container: abc' });
  });

  it('holds to one deadline for the whole answer, however slowly it drips', async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 20);
    };
    await expect(api.get('/info')).rejects.toMatchObject({ kind: 'timeout' });
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
    const missing = createEngineApi({ endpoint: { socketPath: path.join(dir, 'absent.sock') }, timeoutMs: 300 });
    await expect(missing.get('/_ping')).rejects.toMatchObject({ kind: 'missing' });
    const refused = createEngineApi({ endpoint: { host: '127.0.0.1', port: 1 }, timeoutMs: 300 });
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
