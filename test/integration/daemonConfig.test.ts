import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { TestDaemon } from '../helpers/dockerd';
import { tempDir } from '../helpers/tempDir';
import type { Report } from '../../src/upgrade/report';

async function check(daemon: TestDaemon, pidFile = daemon.pidFile): Promise<Report> {
  const { stdout } = await runCli(['check', '--format', 'json', '--no-scan', '--docker.host', daemon.host, '--docker.pid-file', pidFile]);
  return JSON.parse(stdout) as Report;
}

/**
 * A daemon.json the running daemon will refuse at its next start: the
 * exporter predicts it, in the daemon's own words, and a real dockerd then
 * refuses to start with exactly those words.
 */
describe('a daemon.json the daemon will refuse at its next start', () => {
  const dir = tempDir('config');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));

  beforeAll(() => daemon.start({ args: ['--storage-driver', 'overlay2'] }));
  afterAll(() => daemon.stop());

  it.each([
    [
      'a comment',
      '{\n  // pinned before the upgrade\n  "debug": true\n}',
      "invalid character '/' looking for beginning of object key string",
    ],
    ['a trailing comma', '{\n  "debug": true,\n}', "invalid character '}' looking for beginning of object key string"],
    [
      'a byte order mark',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"debug": true}')]),
      "invalid character 'ï' looking for beginning of value",
    ],
    [
      'a directive that does not exist',
      '{"debug": true, "storage_driver": "overlay2"}',
      "the following directives don't match any configuration option: storage_driver",
    ],
    [
      'the driver both as a flag and in the file',
      '{"storage-driver": "overlay2"}',
      'the following directives are specified both as a flag and in the configuration file: storage-driver: (from flag: overlay2, from file: overlay2)',
    ],
  ])('with %s: predicted fails_to_start, and dockerd fails with the predicted words', async (_what, content, message) => {
    if (!daemon.pid) await daemon.start({ args: ['--storage-driver', 'overlay2'] });
    writeFileSync(daemon.configFile, content);
    const report = await check(daemon);
    const predicted = `unable to configure the Docker daemon with file ${daemon.configFile}: ${message}`;
    expect(report.daemon_config).toEqual({ file: daemon.configFile, valid: false, problem: predicted });
    expect(report.upgrade.find((u) => u.restart)).toMatchObject({ outcome: 'fails_to_start', reason: predicted });
    expect(report.verdict.blockers.map((b) => b.reason)).toContain('daemon_config_invalid');
    expect(report.exit_code).toBe(2);

    await daemon.stop();
    await expect(daemon.start({ args: ['--storage-driver', 'overlay2'], daemonJson: content })).rejects.toThrow(/dockerd exited/);
    expect(readFileSync(daemon.logFile, 'utf8')).toContain(predicted);
  });

  it('a valid daemon.json: predicted starts, and it does', async () => {
    // Not "debug": the test daemon has --debug on its command line, and that would be a conflict.
    await daemon.start({ args: ['--storage-driver', 'overlay2'], daemonJson: '{"live-restore": false, "log-opts": {"max-size": "10m"}}' });
    const report = await check(daemon);
    expect(report.daemon_config).toEqual({ file: daemon.configFile, valid: true });
    expect(report.upgrade.find((u) => u.restart)).toMatchObject({ outcome: 'starts' });
    await daemon.stop();
    await daemon.start({ args: ['--storage-driver', 'overlay2'], daemonJson: '{"live-restore": false, "log-opts": {"max-size": "10m"}}' });
  });
});

describe('a pid file that names another daemon', () => {
  const dir = tempDir('twodaemons');
  const first = new TestDaemon(path.join(dir, 'first'));
  const second = new TestDaemon(path.join(dir, 'second'));
  beforeAll(async () => {
    await first.start();
    await second.start({ args: ['--storage-driver', 'vfs'] });
  });
  afterAll(async () => {
    await first.stop();
    await second.stop();
  });

  it('makes the explicit configuration unknown, saying why, instead of describing the wrong daemon', async () => {
    const report = await check(first, second.pidFile);
    expect(report.storage_driver?.explicit).toEqual({
      known: false,
      reason: `the pid file ${second.pidFile} names dockerd ${second.pid}, which keeps its data in ${second.dataRoot}; the daemon behind --docker.host keeps its data in ${first.dataRoot}`,
    });
    expect(report.upgrade.every((u) => u.outcome === 'unknown')).toBe(true);
    // Its own pid file: known.
    expect((await check(first)).storage_driver?.explicit).toMatchObject({ known: true, source: 'none' });
  });
});
