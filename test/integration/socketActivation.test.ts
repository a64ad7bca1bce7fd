import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { EXPORTER_BIN, Metrics } from '../helpers/exporter';
import { freePort } from '../helpers/monitoring';
import { startLogged, stopPid, waitFor } from '../helpers/processes';
import { daemonRoutes, ReplayServer } from '../helpers/replayServer';
import { tempDir } from '../helpers/tempDir';
import { readFileSync } from 'node:fs';

const info = { ServerVersion: '24.0.7', Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']], Images: 1 };

/** --web.systemd-socket, as the shipped .socket unit runs it: systemd-socket-activate holds the port and starts the exporter at the first connection. */
describe('socket activation (--web.systemd-socket)', () => {
  const dir = tempDir('socket-activation');
  const server = new ReplayServer(path.join(dir, 'docker.sock'), daemonRoutes(info));
  const logFile = path.join(dir, 'exporter.log');
  let pid: number | undefined;
  let url = '';

  beforeAll(async () => {
    await server.start();
    const port = await freePort();
    url = `http://127.0.0.1:${port}/metrics`;
    const child = startLogged(
      'systemd-socket-activate',
      ['-l', `127.0.0.1:${port}`, process.execPath, EXPORTER_BIN, '--web.systemd-socket', '--docker.host', server.host, '--no-scan'],
      logFile,
    );
    pid = child.pid;
    await waitFor(
      'systemd-socket-activate to listen',
      () => (/Listening on/.test(readFileSync(logFile, 'utf8')) ? true : undefined),
      10000,
      25,
    );
  });

  afterAll(async () => {
    // systemd-socket-activate execs the exporter in its own process: one pid to stop.
    await stopPid(pid);
    await server.stop();
  });

  it('is started by the first scrape and serves it on the socket systemd passed', async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(new Metrics(await res.text()).value('docker_up')).toBe(1);
    expect(readFileSync(logFile, 'utf8')).toMatch(/msg=listening .*systemd_socket=true/);
  });

  it('without a socket from systemd, exits 2 naming the flag', async () => {
    const { code, stderr } = await runCli(['--web.systemd-socket', '--docker.host', server.host]);
    expect(code).toBe(2);
    expect(stderr).toContain('--web.systemd-socket: no socket passed: LISTEN_FDS is not set');
  });
});
