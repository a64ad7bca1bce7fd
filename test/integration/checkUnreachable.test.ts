import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { EXPORTER_BIN } from '../helpers/exporter';
import { sleep, waitFor } from '../helpers/processes';
import { json, ReplayServer } from '../helpers/replayServer';
import { tempDir } from '../helpers/tempDir';
import type { Report } from '../../src/upgrade/report';

function check(host: string, as?: { uid: number; gid: number }): Promise<{ code: number; report: Report }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [EXPORTER_BIN, 'check', '--format', 'json', '--no-scan', '--docker.timeout', '1s', '--docker.host', host],
      { ...(as ?? {}) },
      (err, stdout) => {
        resolve({ code: err ? Number((err as { code?: number }).code) : 0, report: JSON.parse(stdout) as Report });
      },
    );
  });
}

/** When check cannot reach the daemon, it says why, and the fix that matches. */
describe('check when the daemon cannot be reached', () => {
  const dir = tempDir('unreachable');
  chmodSync(dir, 0o755);

  it('no socket: "missing", and where a rootless daemon listens', async () => {
    const { code, report } = await check(`unix://${path.join(dir, 'absent.sock')}`);
    expect(code).toBe(3);
    expect(report.daemon).toMatchObject({ reachable: false, reason: 'missing', error: expect.stringContaining('ENOENT') });
    expect(report.verdict.next_steps[0]).toContain('There is no socket at');
  });

  it('a socket nobody listens on: "refused"', async () => {
    const socket = path.join(dir, 'dead.sock');
    // A listener killed without closing leaves its socket file behind.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socket)})`], { stdio: 'ignore' });
    await waitFor('the socket', () => existsSync(socket));
    child.kill('SIGKILL');
    await sleep(100);
    const { report } = await check(`unix://${socket}`);
    expect(report.daemon).toMatchObject({ reason: 'refused' });
    expect(report.verdict.next_steps[0]).toContain('the daemon is stopped or has crashed');
  });

  it('a daemon that takes the connection and never answers: "timeout"', async () => {
    const server = new ReplayServer(path.join(dir, 'hung.sock'), { '/_ping': () => undefined });
    await server.start();
    try {
      const { report } = await check(server.host);
      expect(report.daemon).toMatchObject({ reason: 'timeout' });
      expect(report.verdict.next_steps[0]).toContain('--docker.timeout');
    } finally {
      await server.stop();
    }
  });

  it('a socket this user may not use: "permission", and the docker group', async () => {
    const server = new ReplayServer(path.join(dir, 'private.sock'), { '/info': json({}) });
    await server.start();
    chmodSync(server.socketPath, 0o600);
    try {
      const { code, report } = await check(server.host, { uid: 65534, gid: 65534 });
      expect(code).toBe(3);
      expect(report.daemon).toMatchObject({ reason: 'permission', error: expect.stringContaining('EACCES') });
      expect(report.verdict.next_steps[0]).toContain('docker group');
      expect(report.verdict.next_steps[0]).toContain('SupplementaryGroups=docker');
    } finally {
      await server.stop();
    }
  });
});
