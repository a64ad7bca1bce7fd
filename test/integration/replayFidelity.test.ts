import * as http from 'node:http';
import * as path from 'node:path';
import { parseContainerEntry, parseContainerInspect, parseVolumeCount } from '../../src/parse/containers';
import { localOnlyImageCount } from '../../src/parse/images';
import { parseInfo } from '../../src/parse/info';
import { ProblemList } from '../../src/parse/problems';
import { engineOf } from '../../src/parse/version';
import { overlay2Status, type EngineHost } from '../fixtures/engines/engineHosts';
import { TestDaemon } from '../helpers/dockerd';
import { replayRoutes, type ReplayedContainer } from '../helpers/engineReplay';
import { ReplayServer } from '../helpers/replayServer';
import { tempDir } from '../helpers/tempDir';

/**
 * The replay method, proven: Docker 23, 24, 25, 27 and 29 cannot run here,
 * so their hosts are replayed from answers built from each version's source
 * at its tag (test/fixtures/engines/engineHosts.ts). Here the same method
 * builds replays of dockerd 26.1.5 and 28.5.2 (api/common.go DefaultVersion
 * at v26.1.5: 1.45, at v28.5.2: 1.51), and the real daemons of those
 * versions answer beside them: what the exporter reads from every endpoint
 * it asks (/_ping's Api-Version, /version, /info, /containers/json, a
 * container's inspect, /volumes, /images/json) must be the same, read by the
 * exporter's own parsers, with no parse problem on either side.
 */

const dir = tempDir('fidelity');

function get(socketPath: string, urlPath: string): Promise<{ headers: http.IncomingHttpHeaders; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: urlPath, timeout: 10000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ headers: res.headers, body: urlPath === '/_ping' ? text : JSON.parse(text) });
        } catch (err) {
          reject(new Error(`${urlPath}: ${String(err)}: ${text.slice(0, 200)}`));
        }
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${urlPath}: timeout`)));
  });
}

/** Everything the exporter takes from a daemon, through its own parsers; fields that differ between any two hosts left out. */
async function exporterView(socketPath: string, containerIds: readonly string[]) {
  const problems = new ProblemList();
  const ping = await get(socketPath, '/_ping');
  const version = await get(socketPath, '/version');
  const info = parseInfo((await get(socketPath, '/info')).body, problems);
  const listed = (await get(socketPath, '/containers/json?all=1')).body as unknown[];
  const inspected = await Promise.all(
    containerIds.map(async (id) => parseContainerInspect((await get(socketPath, `/containers/${id}/json`)).body, problems)),
  );
  const v = version.body as { ApiVersion?: unknown; Components?: { Name?: unknown; Details?: { ApiVersion?: unknown } }[] };
  return {
    ping: { body: ping.body, apiVersion: ping.headers['api-version'] },
    engine: engineOf(version.body, problems),
    versionApi: v.ApiVersion,
    components: (v.Components ?? []).map((c) => ({ name: c.Name, apiVersion: c.Details?.ApiVersion })),
    info: {
      // Debian's build says 26.1.5+dfsg1: the upstream version is what the replay is built from.
      serverVersion: info.serverVersion?.replace(/\+.*$/, ''),
      osType: info.osType,
      architecture: info.architecture,
      dockerRootDir: info.dockerRootDir,
      driver: info.driver,
      backingFilesystem: info.backingFilesystem,
      dTypeSupported: info.dTypeSupported,
      containerdSnapshotter: info.containerdSnapshotter,
      containers: info.containers,
      images: info.images,
      warnings: typeof info.warnings,
    },
    containers: listed.map((entry) => parseContainerEntry(entry, problems)).sort((a, b) => (a?.name ?? '').localeCompare(b?.name ?? '')),
    inspected,
    volumes: parseVolumeCount((await get(socketPath, '/volumes')).body, problems),
    localOnlyImages: localOnlyImageCount((await get(socketPath, '/images/json')).body, info.containerdSnapshotter),
    problems: problems.items,
  };
}

describe.each([
  [26, '26.1.5', '1.45'],
  [28, '28.5.2', '1.51'],
] as const)('the replay of Docker %i equals the real dockerd', (major, version, apiVersion) => {
  const daemon = new TestDaemon(path.join(dir, `d${major}`), major);
  let replay: ReplayServer | undefined;

  afterAll(async () => {
    await replay?.stop();
    await daemon.destroy();
  });

  it.each([
    ['on overlay2', '{}', 'overlay2', overlay2Status],
    [
      'on the containerd image store',
      '{"features": {"containerd-snapshotter": true}}',
      'overlayfs',
      [['driver-type', 'io.containerd.snapshotter.v1']],
    ],
  ] as const)('%s', async (_what, daemonJson, driver, driverStatus) => {
    await replay?.stop();
    await daemon.stop();
    await daemon.start({ daemonJson });
    await daemon.importBusybox();
    await daemon.docker('volume', 'create', 'data');
    const started: ReplayedContainer[] = [];
    for (const [name, state, network] of [
      ['web', 'running', 'none'],
      ['job', 'created', 'none'],
      ['edge', 'running', 'host'],
    ] as const) {
      const id = await daemon.docker('create', '--name', name, '--network', network, 'busybox:test', 'sleep', '100000');
      if (state === 'running') await daemon.docker('start', name);
      started.push({ id, name, image: 'busybox:test', state, networkMode: network });
    }
    const imageId = await daemon.docker('image', 'inspect', '--format', '{{.Id}}', 'busybox:test');
    const host: EngineHost = {
      engine: `Docker ${major}`,
      situation: 'fidelity',
      version,
      apiVersion,
      driver,
      driverStatus: driverStatus.map(([k, v]) => [k, v] as [string, string]),
      dirs: [],
      expected: {},
    };
    const routes = replayRoutes(host, daemon.dataRoot, started, [{ id: imageId, tags: ['busybox:test'] }]);
    routes['/volumes'] = (_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ Volumes: [{ Name: 'data', Driver: 'local' }], Warnings: null }));
    };
    replay = new ReplayServer(path.join(daemon.dir, 'replay.sock'), routes, apiVersion);
    await replay.start();

    const ids = started.map((c) => c.id);
    const real = await exporterView(daemon.socket, ids);
    const replayed = await exporterView(replay.socketPath, ids);
    expect(real.problems).toEqual([]);
    expect(replayed).toEqual(real);
    // What the comparison rests on: the real daemon said what the replay was built to say.
    expect([real.engine, real.info.driver, real.info.containerdSnapshotter, real.ping.apiVersion]).toEqual([
      'docker',
      driver,
      driver === 'overlayfs',
      apiVersion,
    ]);
    await replay.stop();
    replay = undefined;
  });
});
