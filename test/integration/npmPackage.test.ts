import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Metrics, repoRoot } from '../helpers/exporter';
import { startLogged, stopPid, waitFor } from '../helpers/processes';
import { daemonRoutes, ReplayServer } from '../helpers/replayServer';
import { tempDir } from '../helpers/tempDir';

const run = promisify(execFile);

/**
 * As an operator installs it: `npm pack`, then `npm install -g` of the tarball
 * into a prefix of its own; the command on PATH serves /metrics and runs check.
 */
describe('the npm package', () => {
  const dir = tempDir('npm');
  const prefix = path.join(dir, 'prefix');
  const bin = path.join(prefix, 'bin', 'docker-daemon-exporter');
  const server = new ReplayServer(
    path.join(dir, 'docker.sock'),
    daemonRoutes({ ServerVersion: '24.0.7', Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']], Images: 2 }),
  );
  let files: string[] = [];

  beforeAll(async () => {
    await server.start();
    const { stdout } = await run('npm', ['pack', '--pack-destination', dir, '--json'], { cwd: repoRoot(), maxBuffer: 64 * 1024 * 1024 });
    files = ((JSON.parse(stdout) as { files: { path: string }[] }[])[0]?.files ?? []).map((f) => f.path);
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack made no tarball');
    // The dependencies come from npm's cache, filled by npm ci.
    await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, tarball)], {
      maxBuffer: 64 * 1024 * 1024,
    });
  }, 300000);
  afterAll(() => server.stop());

  it('ships the built exporter, the alerts, dashboards, runbook and units, and no tests or sources', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/src/main.js',
        'alerts/docker-daemon-exporter.rules.yml',
        'alerts/docker-daemon-exporter.inhibit.yml',
        'dashboards/docker-fleet.json',
        'mixin/mixin.libsonnet',
        'mixin/dashboards.json',
        'docs/runbook.md',
        'packaging/systemd/docker-daemon-exporter.service',
        'README.md',
        'LICENSE',
        'package.json',
      ]),
    );
    expect(files.filter((f) => f.startsWith('dist/test/') || f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.ts'))).toEqual(
      [],
    );
  });

  it('puts docker-daemon-exporter on PATH, and it tells its version', async () => {
    const { stdout } = await run(bin, ['--version']);
    expect(stdout).toMatch(/^docker-daemon-exporter \d+\.\d+\.\d+ \(node v\d+/);
  });

  it('serves /metrics', async () => {
    const log = path.join(dir, 'exporter.log');
    const child = startLogged(
      bin,
      ['--web.listen-address', '127.0.0.1:0', '--docker.host', server.host, '--docker.pid-file', path.join(dir, 'none.pid'), '--no-scan'],
      log,
    );
    try {
      const port = await waitFor(
        'the installed exporter to listen',
        () => /msg=listening address=[^ ]*:(\d+)/.exec(readFileSync(log, 'utf8'))?.[1],
      );
      const m = new Metrics(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      expect(m.value('docker_up')).toBe(1);
      expect(m.value('docker_storage_driver_info', { driver: 'overlay2' })).toBe(1);
    } finally {
      await stopPid(child.pid);
    }
  });

  it('runs check', async () => {
    const { stdout } = await run(bin, [
      'check',
      '--format',
      'json',
      '--no-scan',
      '--docker.host',
      server.host,
      '--docker.pid-file',
      path.join(dir, 'none.pid'),
    ]).catch((err: unknown) => err as { stdout: string });
    expect((JSON.parse(stdout) as { storage_driver: { name: string } }).storage_driver.name).toBe('overlay2');
  });
});
