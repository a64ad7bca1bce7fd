import * as path from 'node:path';
import { classifyNetworkMode } from '../../src/parse/networkMode';
import { TestDaemon } from '../helpers/dockerd';
import { Metrics, TestExporter } from '../helpers/exporter';
import { sleep, waitFor } from '../helpers/processes';
import { randomSource } from '../helpers/random';
import { ReplayServer } from '../helpers/replayServer';
import { SimState, SimulatedDaemon } from '../helpers/simulatedDaemon';
import { tempDir } from '../helpers/tempDir';

/** docker_containers as a map "state/network_mode" → count. */
function counts(m: Metrics): Record<string, number> {
  return Object.fromEntries(m.all('docker_containers').map((s) => [`${s.labels['state']}/${s.labels['network_mode']}`, s.value]));
}

/**
 * A real dockerd changed under a running exporter: every transition the
 * daemon announces shows in the first scrape that starts a second after the
 * docker command returned, exactly as `docker ps -a` and `docker inspect` say.
 */
describe('container states and network modes follow the daemon under change', () => {
  const dir = tempDir('fresh');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));

  /** What docker says, in the exporter's terms: "state/network_mode" → count. */
  async function truth(): Promise<Record<string, number>> {
    const ids = (await daemon.docker('ps', '-a', '-q', '--no-trunc')).split('\n').filter(Boolean);
    const out: Record<string, number> = {};
    if (ids.length === 0) return out;
    const lines = (await daemon.docker('inspect', '--format', '{{.State.Status}} {{.HostConfig.NetworkMode}}', ...ids)).split('\n');
    for (const line of lines) {
      const [state = '', mode] = line.split(' ');
      const key = `${state}/${classifyNetworkMode(mode)}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  /** The first scrape that starts a second after the change. */
  async function scrapeAfterASecond(): Promise<Metrics> {
    await sleep(1000);
    return exporter.scrape();
  }

  beforeAll(async () => {
    await daemon.start();
    await daemon.importBusybox();
    await daemon.docker('network', 'create', 'appnet');
    await exporter.start(['--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile, '--no-scan']);
    await waitFor('the event stream', async () =>
      (await exporter.scrape()).value('docker_exporter_event_stream_up') === 1 ? true : undefined,
    );
  });

  afterAll(async () => {
    await exporter.stop();
    await daemon.destroy();
  });

  it('follows each transition: create, start, pause, unpause, restart, stop, kill, oom, exit by itself, rename, update, network connect and disconnect, destroy', async () => {
    const steps: [string, string[]][] = [
      ['create', ['create', '--name', 'web', 'busybox:test', 'sleep', '1000']],
      ['start', ['start', 'web']],
      ['pause', ['pause', 'web']],
      ['unpause', ['unpause', 'web']],
      ['restart', ['restart', '-t', '0', 'web']],
      ['stop', ['stop', '-t', '0', 'web']],
      ['start again', ['start', 'web']],
      ['kill', ['kill', 'web']],
      ['start a host-network container', ['run', '-d', '--name', 'edge', '--network', 'host', 'busybox:test', 'sleep', '1000']],
      ['rename', ['rename', 'edge', 'edge-proxy']],
      ['update', ['update', '--restart', 'unless-stopped', 'edge-proxy']],
      ['start a container on the user network', ['run', '-d', '--name', 'app', '--network', 'appnet', 'busybox:test', 'sleep', '1000']],
      ['network disconnect', ['network', 'disconnect', 'appnet', 'app']],
      ['network connect', ['network', 'connect', 'appnet', 'app']],
      [
        'oom',
        [
          'run',
          '-d',
          '--name',
          'hungry',
          '--memory',
          '8m',
          '--memory-swap',
          '8m',
          'busybox:test',
          'sh',
          '-c',
          'x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done',
        ],
      ],
      ['destroy', ['rm', '-f', 'web']],
    ];
    for (const [what, args] of steps) {
      await daemon.docker(...args);
      if (what === 'oom')
        await waitFor('the OOM kill', async () =>
          (await daemon.docker('inspect', '--format', '{{.State.OOMKilled}}', 'hungry')) === 'true' ? true : undefined,
        );
      const m = await scrapeAfterASecond();
      expect({ after: what, counts: counts(m) }).toEqual({ after: what, counts: await truth() });
      if (what === 'rename') expect(m.all('docker_container_host_network_info').map((s) => s.labels['name'])).toEqual(['edge-proxy']);
    }

    // Exiting by itself: the daemon's own "die", with no command to wait for.
    await daemon.docker('run', '-d', '--name', 'brief', 'busybox:test', 'sleep', '2');
    await waitFor('the container to exit', async () =>
      (await daemon.docker('inspect', '--format', '{{.State.Status}}', 'brief')) === 'exited' ? true : undefined,
    );
    const m = await scrapeAfterASecond();
    expect(counts(m)).toEqual(await truth());
    expect(counts(m)['exited/bridge']).toBeGreaterThanOrEqual(1);
  });

  it('matches docker ps -a after each of 50 random transitions over 10 containers', async () => {
    await daemon.docker('rm', '-f', ...(await daemon.docker('ps', '-a', '-q')).split('\n').filter(Boolean));
    const random = randomSource(20261126);
    const modes = ['bridge', 'none', 'host', 'appnet'];
    const names = Array.from({ length: 10 }, (_, i) => `c${i}`);
    const state = new Map<string, 'absent' | 'created' | 'running' | 'paused' | 'exited'>(names.map((n) => [n, 'absent']));
    const moves: Record<string, [string, (name: string) => string[], 'absent' | 'created' | 'running' | 'paused' | 'exited'][]> = {
      absent: [
        ['create', (n) => ['create', '--name', n, '--network', random.pick(modes), 'busybox:test', 'sleep', '1000'], 'created'],
        ['run', (n) => ['run', '-d', '--name', n, '--network', random.pick(modes), 'busybox:test', 'sleep', '1000'], 'running'],
      ],
      created: [
        ['start', (n) => ['start', n], 'running'],
        ['rm', (n) => ['rm', n], 'absent'],
      ],
      running: [
        ['pause', (n) => ['pause', n], 'paused'],
        ['stop', (n) => ['stop', '-t', '0', n], 'exited'],
        ['kill', (n) => ['kill', n], 'exited'],
        ['restart', (n) => ['restart', '-t', '0', n], 'running'],
        ['rm -f', (n) => ['rm', '-f', n], 'absent'],
      ],
      paused: [['unpause', (n) => ['unpause', n], 'running']],
      exited: [
        ['start', (n) => ['start', n], 'running'],
        ['rm', (n) => ['rm', n], 'absent'],
      ],
    };
    for (let step = 1; step <= 50; step++) {
      const name = random.pick(names);
      const [action, args, next] = random.pick(moves[state.get(name) ?? 'absent'] ?? []);
      await daemon.docker(...args(name));
      state.set(name, next);
      const m = await scrapeAfterASecond();
      expect({ step, action, name, counts: counts(m) }).toEqual({ step, action, name, counts: await truth() });
    }
  });
});

/**
 * The same against a daemon whose events arrive in bursts and whose container
 * list lags behind them by seconds: only what the events announce, read where
 * it is current, gives the right numbers.
 */
describe('container states under bursts of events from a replayed daemon', () => {
  const dir = tempDir('burst');
  const sim = new SimulatedDaemon({ burstEveryMs: 400, listLagMs: 3000 });
  const server = new ReplayServer(path.join(dir, 'docker.sock'), sim.routes());
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));

  beforeAll(async () => {
    sim.start();
    await server.start();
    await exporter.start(['--docker.host', server.host, '--docker.pid-file', path.join(dir, 'none.pid'), '--no-scan']);
    await waitFor('the event stream', async () =>
      (await exporter.scrape()).value('docker_exporter_event_stream_up') === 1 ? true : undefined,
    );
  });

  afterAll(async () => {
    await exporter.stop();
    sim.stop();
    await server.stop();
  });

  it('matches the daemon after 50 random transitions over 10 containers, applied in bursts', async () => {
    const random = randomSource(7);
    const modes = ['default', 'host', 'none', 'appnet', 'container:abc'];
    const moves: Record<SimState, [string, SimState][]> = {
      created: [['start', 'running']],
      running: [
        ['pause', 'paused'],
        ['die', 'exited'],
        ['restart', 'running'],
        ['stop', 'exited'],
      ],
      paused: [
        ['unpause', 'running'],
        ['die', 'exited'],
      ],
      restarting: [['start', 'running']],
      exited: [
        ['start', 'running'],
        ['destroy', 'exited'],
      ],
      dead: [['destroy', 'dead']],
    };
    let done = 0;
    let burst = 0;
    while (done < 50) {
      const size = 1 + Math.floor(random.next() * 8);
      for (let i = 0; i < size && done < 50; i++, done++) {
        const ids = sim.ids();
        if (ids.length < 10 && (ids.length === 0 || random.next() < 0.3)) {
          sim.create(`c${done}`, random.pick(modes));
          continue;
        }
        const id = random.pick(ids);
        const [action, next] = random.pick(moves[sim.state(id) ?? 'created']);
        if (action === 'destroy') sim.destroy(id);
        else if (random.next() < 0.1) sim.rename(id, `renamed-${done}`);
        else sim.transition(id, action, next);
      }
      burst++;
      await sleep(1000);
      const m = await exporter.scrape();
      expect({ burst, done, counts: counts(m) }).toEqual({ burst, done, counts: sim.counts() });
    }
  });
});
