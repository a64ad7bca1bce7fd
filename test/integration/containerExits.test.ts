import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { TestDaemon } from '../helpers/dockerd';
import { Metrics, TestExporter } from '../helpers/exporter';
import { sleep, waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/tempDir';

/**
 * After a migration, the containers that exit non-zero show it first: each one's code equal to what
 * `docker inspect` says, the most recent exit first, whether it exited before the exporter started (read
 * from the list) or under it (read from the inspect its die event brings).
 */
describe('exit codes of stopped containers on a real dockerd', () => {
  const dir = tempDir('exits');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  const target = () => ['--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile, '--no-scan'];

  const exitCode = async (name: string) => Number(await daemon.docker('inspect', '--format', '{{.State.ExitCode}}', name));
  /** Runs a container to its end with `code`. */
  const exitWith = async (name: string, code: number) => {
    await daemon.docker('run', '--name', name, 'busybox:test', 'sh', '-c', `exit ${code}`).catch(() => undefined);
    expect(await exitCode(name)).toBe(code);
  };

  beforeAll(async () => {
    await daemon.start();
    await daemon.importBusybox();
    await exitWith('aaa-before', 3);
    await exitWith('before-0', 0);
    await daemon.docker('run', '-d', '--name', 'running', 'busybox:test', 'sleep', '100000');
    await exporter.start([...target(), '--collector.exit-codes.max-series', '2']);
    await waitFor('the event stream', async () =>
      (await exporter.scrape()).value('docker_exporter_event_stream_up') === 1 ? true : undefined,
    );
  }, 120000);

  afterAll(async () => {
    await exporter.stop();
    await daemon.destroy();
  });

  it('exports the code of each container that exited non-zero, as docker inspect says, the latest first, bounded', async () => {
    await exitWith('a-first', 7);
    // The list says how long ago in whole seconds: 2 s apart, a one-shot check can tell which was last.
    await sleep(2100);
    await exitWith('b-last', 12);
    const m: Metrics = await waitFor('the exporter to see both exits', async () => {
      const now = await exporter.scrape();
      return now.value('docker_containers_exited_nonzero') === 3 ? now : undefined;
    });
    // At most two series: the two latest exits; the one before the exporter started is counted, not named.
    const series = m.all('docker_container_last_exit_code').map((s) => [s.labels['name'], s.value]);
    expect(series.sort()).toEqual([
      ['a-first', await exitCode('a-first')],
      ['b-last', await exitCode('b-last')],
    ]);
    expect(m.value('docker_container_last_exit_code', { name: 'before-0' })).toBeUndefined();
    expect(m.value('docker_container_last_exit_code', { name: 'running' })).toBeUndefined();
  });

  it('reads an exit from before the exporter started from the list, and check lists them all, the latest first', async () => {
    const check = await runCli(['check', '--format', 'json', ...target()]);
    const report = JSON.parse(check.stdout) as { exited_nonzero_containers: { name: string; exit_code: number }[] };
    expect(report.exited_nonzero_containers).toEqual([
      { name: 'b-last', image: 'busybox:test', exit_code: 12 },
      { name: 'a-first', image: 'busybox:test', exit_code: 7 },
      { name: 'aaa-before', image: 'busybox:test', exit_code: await exitCode('aaa-before') },
    ]);
    const text = await runCli(['check', ...target()]);
    expect(text.stdout).toMatch(
      /exited non-zero[\s\S]*- b-last \(busybox:test\): exit code 12[\s\S]*- aaa-before \(busybox:test\): exit code 3/,
    );
  });
});
