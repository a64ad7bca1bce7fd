import * as path from 'node:path';
import { runOomKilled, runWithHealthCheck } from '../helpers/containerTroubles';
import { TestDaemon } from '../helpers/dockerd';
import { Metrics, TestExporter } from '../helpers/exporter';
import { sleep, waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/tempDir';

/**
 * Health, restarts and OOM kills on a real dockerd, changed under a running
 * exporter: every figure equal to what `docker inspect` and `docker events`
 * say, at the next scrape once the change is over.
 */
describe('container health, restarts and OOM kills follow a real daemon', () => {
  const dir = tempDir('health');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  let started = '';

  /** Scrapes until `check` holds (the exporter follows events; an inspect may be on its way). */
  async function scrapeUntil(what: string, check: (m: Metrics) => boolean): Promise<Metrics> {
    return waitFor(what, async () => {
      const m = await exporter.scrape();
      return check(m) ? m : undefined;
    });
  }

  /** docker events since the exporter started, as "action name" lines, up to now. */
  async function events(filter: string): Promise<string[]> {
    const out = await daemon.docker(
      'events',
      '--since',
      started,
      '--until',
      String(Math.floor(Date.now() / 1000) + 1),
      '--filter',
      `event=${filter}`,
      '--format',
      '{{.Action}} {{.Actor.Attributes.name}}',
    );
    return out.split('\n').filter(Boolean);
  }

  beforeAll(async () => {
    await daemon.start();
    await daemon.importBusybox();
    await exporter.start(['--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile, '--no-scan']);
    await waitFor('the event stream', async () =>
      (await exporter.scrape()).value('docker_exporter_event_stream_up') === 1 ? true : undefined,
    );
    started = String(Math.floor(Date.now() / 1000) - 1);
  });

  afterAll(async () => {
    await exporter.stop();
    await daemon.destroy();
  });

  it('counts containers by health as docker inspect shows it, and names the unhealthy one', async () => {
    await runWithHealthCheck(daemon, 'fine', 'true');
    await runWithHealthCheck(daemon, 'sick', 'test -f /nonexistent');
    await daemon.docker('run', '-d', '--name', 'plain', 'busybox:test', 'sleep', '100000');
    await waitFor('docker to call one healthy and one unhealthy', async () => {
      const out = await daemon.docker('inspect', '--format', '{{.Name}} {{.State.Health.Status}}', 'fine', 'sick');
      return out === '/fine healthy\n/sick unhealthy' || out === '/fine healthy\r\n/sick unhealthy' ? true : undefined;
    });
    const m = await scrapeUntil(
      'the exporter to see both health checks',
      (s) =>
        s.value('docker_containers_health', { status: 'unhealthy' }) === 1 &&
        s.value('docker_containers_health', { status: 'healthy' }) === 1,
    );
    expect(m.value('docker_containers_health', { status: 'none' })).toBe(1);
    expect(m.value('docker_containers_health', { status: 'starting' })).toBe(0);
    expect(m.all('docker_container_unhealthy_info').map((s) => s.labels)).toEqual([{ name: 'sick', image: 'busybox:test' }]);
    // Stopped, it has no health any more (docker ps shows none), though inspect keeps the last status.
    await daemon.docker('stop', '-t', '0', 'sick');
    const after = await scrapeUntil(
      'the stopped one to leave the unhealthy count',
      (s) => s.value('docker_containers_health', { status: 'unhealthy' }) === 0,
    );
    expect(after.value('docker_containers_health', { status: 'none' })).toBe(2);
    expect(after.all('docker_container_unhealthy_info')).toEqual([]);
  });

  it("counts the restart policy's restarts as RestartCount says, and docker restart's as its events say", async () => {
    await daemon.docker('run', '-d', '--name', 'loop', '--restart', 'always', 'busybox:test', 'sh', '-c', 'sleep 1; exit 1');
    await daemon.docker('run', '-d', '--name', 'web', 'busybox:test', 'sleep', '100000');
    await waitFor(
      'the loop to restart three times',
      async () => (Number(await daemon.docker('inspect', '--format', '{{.RestartCount}}', 'loop')) >= 3 ? true : undefined),
      60000,
    );
    await daemon.docker('restart', '-t', '0', 'web');
    // Stopped by hand, it restarts no more: its RestartCount stays what it is.
    await daemon.docker('stop', '-t', '0', 'loop');
    const restartCount = Number(await daemon.docker('inspect', '--format', '{{.RestartCount}}', 'loop'));
    const restartEvents = (await events('restart')).filter((line) => line === 'restart web').length;
    expect(restartEvents).toBe(1);
    const m = await scrapeUntil(
      'the exporter to count every restart',
      (s) => s.value('docker_container_restarts_total', { name: 'loop' }) === restartCount,
    );
    expect(m.value('docker_container_restarts_total', { name: 'web' })).toBe(restartEvents);
    expect(m.value('docker_containers_restarts_total')).toBe(restartCount + restartEvents);
    // The most restarted first.
    expect(
      m
        .all('docker_container_restarts_total')
        .map((s) => s.labels['name'])
        .sort(),
    ).toEqual(['loop', 'web']);
  });

  it('counts an OOM kill as docker events and inspect report it, and names the container', async () => {
    await runOomKilled(daemon, 'hog');
    const oomKilled = await daemon.docker('inspect', '--format', '{{.State.OOMKilled}}', 'hog');
    const ooms = await events('oom');
    // This machine's cgroups enforce memory limits; where they do not, there is no kill to count and the test says so.
    expect([oomKilled, ooms]).toEqual(['true', ['oom hog']]);
    const m = await scrapeUntil('the exporter to count the kill', (s) => s.value('docker_containers_oom_kills_total') === 1);
    expect(m.all('docker_container_oom_killed_info').map((s) => s.labels)).toEqual([{ name: 'hog', image: 'busybox:test' }]);
    await sleep(1500);
    expect((await exporter.scrape()).value('docker_containers_oom_kills_total')).toBe(ooms.length);
  });
});
