import fs from 'node:fs';
import winston from 'winston';
import { DaemonCollector, sameDataRoot } from '../../../src/collector/daemonCollector';
import type { OptionalCollectors } from '../../../src/config/config';
import { EngineError } from '../../../src/docker/engineApi';
import { FakeEngineApi, id, listed, settle } from '../../helpers/fakeEngineApi';

const silent = winston.createLogger({ silent: true });
const info = {
  ServerVersion: '24.0.7',
  Driver: 'overlay2',
  DriverStatus: [['Backing Filesystem', 'extfs']],
  Images: 3,
  DockerRootDir: '/var/lib/docker',
};

function daemon(): FakeEngineApi {
  return new FakeEngineApi()
    .on('/_ping', 'OK')
    .on('/info', info)
    .on('/containers/json', [listed(id(1), 'web', 'running'), listed(id(2), 'edge', 'running', 'host')])
    .on('/volumes', { Volumes: [{ Name: 'data' }], Warnings: null })
    .on('/images/json', [
      { Id: 'sha256:a', RepoTags: ['app:1'], RepoDigests: [] },
      { Id: 'sha256:b', RepoTags: ['busybox:1'], RepoDigests: ['busybox@sha256:c'] },
    ]);
}

function collector(
  api: FakeEngineApi,
  options: {
    watchEvents?: boolean;
    minIntervalMs?: number;
    infoMaxAgeMs?: number;
    imagesResyncMs?: number;
    now?: () => number;
    collectors?: OptionalCollectors;
  } = {},
) {
  return new DaemonCollector({
    api,
    storageConfig: { pidFile: '/nonexistent/docker.pid', daemonConfigFile: '/nonexistent/daemon.json' },
    logger: silent,
    infoMaxAgeMs: options.infoMaxAgeMs ?? 30000,
    ...(options.imagesResyncMs !== undefined ? { imagesResyncMs: options.imagesResyncMs } : {}),
    timeoutMs: 1000,
    ...(options.minIntervalMs !== undefined ? { minIntervalMs: options.minIntervalMs } : {}),
    ...(options.now ? { now: options.now } : {}),
    watchEvents: options.watchEvents ?? false,
    ...(options.collectors ? { collectors: options.collectors } : {}),
  });
}

describe('DaemonCollector', () => {
  let made: DaemonCollector | undefined;
  afterEach(() => made?.stop());

  it('reads ping, info, containers and volumes, and says how each collector did', async () => {
    made = collector(daemon());
    const s = await made.collect();
    expect(s.up).toBe(true);
    expect(s.info?.driver).toBe('overlay2');
    expect(s.containers?.map((c) => `${c.name}/${c.networkMode}`)).toEqual(['web/bridge', 'edge/host']);
    expect(s.volumes).toBe(1);
    expect(s.collectors.map((c) => `${c.collector}:${c.success}`)).toEqual([
      'containers:true',
      'images:true',
      'info:true',
      'ping:true',
      'storage_config:true',
      'volumes:true',
    ]);
    expect(s.localOnlyImages).toBe(1);
    expect(s.storageConfig).toMatchObject({ known: false });
  });

  it('has the ping on its way before it reads the pid file (the ping is what a scrape waits for)', async () => {
    // docker-modem writes a request to the socket a tick after it is asked for: the fake's ping counts as sent then.
    const order: string[] = [];
    const api = daemon().on('/_ping', () => new Promise((resolve) => process.nextTick(() => (order.push('ping sent'), resolve('OK')))));
    const read = jest.spyOn(fs, 'readFileSync').mockImplementation((file) => {
      order.push(`read ${String(file)}`);
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    });
    try {
      made = collector(api);
      const s = await made.collect();
      expect(s.up).toBe(true);
      expect(order[0]).toBe('ping sent');
      expect(order).toContain('read /nonexistent/docker.pid');
    } finally {
      read.mockRestore();
    }
  });

  it('asks nothing a collector that is off would ask, and reports no series for it', async () => {
    const api = daemon();
    made = collector(api, { watchEvents: true, collectors: { containers: false, volumes: false, images: false, storageConfig: false } });
    const s = await made.collect();
    expect(s.up).toBe(true);
    expect(s.info?.driver).toBe('overlay2');
    expect(s.collectors.map((c) => c.collector)).toEqual(['info', 'ping']);
    expect([s.containers, s.volumes, s.localOnlyImages]).toEqual([undefined, undefined, undefined]);
    // Not "explicit" nor "not explicit": unknown, saying why.
    expect(s.storageConfig).toEqual({ known: false, reason: 'the storage_config collector is off (--no-collector.storage-config)' });
    expect([...new Set(api.calls)].sort()).toEqual(['GET /_ping', 'GET /info', 'GET /version']);
  });

  it('asks /info once when the images collector needs the image store at the same time', async () => {
    const api = daemon();
    made = collector(api);
    await made.collect();
    expect(api.count('/info')).toBe(1);
    expect(api.count('/images/json')).toBe(1);
  });

  it('when the ping fails, asks nothing else and marks every daemon collector failed', async () => {
    const api = daemon().on('/_ping', new EngineError('GET /_ping: connect ENOENT', 'missing'));
    made = collector(api);
    const s = await made.collect();
    expect(s.up).toBe(false);
    expect(s.info).toBeUndefined();
    expect(s.collectors.filter((c) => !c.success).map((c) => c.collector)).toEqual(['containers', 'images', 'info', 'ping', 'volumes']);
    expect(api.calls).toEqual(['GET /_ping']);
  });

  it('one failing collector leaves the others standing', async () => {
    made = collector(daemon().on('/info', new EngineError('GET /info: HTTP 500: boom', 'http', 500)));
    const s = await made.collect();
    expect(s.up).toBe(true);
    expect(s.info).toBeUndefined();
    expect(s.containers).toHaveLength(2);
    expect(s.collectors.find((c) => c.collector === 'info')?.success).toBe(false);
  });

  it('reuses /info for --docker.info-max-age, then asks again', async () => {
    let now = 0;
    const api = daemon();
    made = collector(api, { infoMaxAgeMs: 30000, now: () => now });
    await made.collect();
    now = 29000;
    await made.collect();
    expect(api.count('/info')).toBe(1);
    now = 31000;
    await made.collect();
    expect(api.count('/info')).toBe(2);
  });

  it('shares one collection among callers that arrive while it is in flight', async () => {
    let release: (() => void) | undefined;
    const api = daemon().on('/_ping', () => new Promise((resolve) => (release = () => resolve('OK'))));
    made = collector(api);
    const all = Promise.all([made.collect(), made.collect(), made.collect()]);
    await settle();
    release?.();
    await all;
    expect(api.count('/_ping')).toBe(1);
  });

  it('within --docker.min-interval, reuses the last answers but takes containers fresh from the inventory', async () => {
    let now = 0;
    const api = daemon();
    made = collector(api, { watchEvents: true, minIntervalMs: 1000, now: () => now });
    await settle();
    await made.collect();
    api.on(`/containers/${id(1)}/json`, {
      Id: id(1),
      Name: '/web',
      State: { Status: 'exited' },
      Config: { Image: 'busybox' },
      HostConfig: { NetworkMode: 'default' },
    });
    api.emit({ Type: 'container', Action: 'die', Actor: { ID: id(1) } });
    now = 500;
    const s = await made.collect();
    expect(api.count('/_ping')).toBe(1);
    expect(s.containers?.find((c) => c.name === 'web')?.state).toBe('exited');
  });

  it('counts the problems of its very first collection, and keeps the totals', async () => {
    made = collector(daemon().on('/info', { ...info, Images: 'many' }));
    expect(Object.fromEntries((await made.collect()).parseErrors)).toEqual({ 'info.Images': 1 });
    expect(Object.fromEntries((await made.collect()).parseErrors)).toEqual({ 'info.Images': 1 });
  });

  it('keeps the engine the daemon last named when /version fails, and asks /version again at the next collection', async () => {
    const podman = { Version: '4.9.3', Components: [{ Name: 'Podman Engine', Version: '4.9.3' }] };
    const api = daemon().on('/version', podman);
    let now = 0;
    made = collector(api, { minIntervalMs: 0, now: () => now });
    expect((await made.collect()).engine).toBe('podman');
    now += 31000;
    api.on('/version', new EngineError('GET /version: timeout', 'timeout'));
    expect((await made.collect()).engine).toBe('podman');
    api.on('/version', podman);
    const before = api.calls.filter((c) => c === 'GET /version').length;
    now += 1000;
    await made.collect();
    // Not served from the 30 s cache: /version, which failed, is asked again.
    expect(api.calls.filter((c) => c === 'GET /version').length).toBe(before + 1);
  });

  it('asks GET /images/json on image events and every --docker.images-resync, not with every /info refresh', async () => {
    let now = 0;
    const api = daemon().on('/images/json', [{ Id: 'sha256:a', RepoTags: ['app:1'], RepoDigests: [] }]);
    made = collector(api, { watchEvents: true, minIntervalMs: 0, infoMaxAgeMs: 30000, imagesResyncMs: 600000, now: () => now });
    await settle();
    expect((await made.collect()).localOnlyImages).toBe(1);
    // /info expires every 30 s; the image list is not asked again with it.
    for (now = 31000; now < 300000; now += 31000) await made.collect();
    expect([api.count('/info') > 5, api.count('/images/json')]).toEqual([true, 1]);
    // An image event: asked at the next collection.
    api.on('/images/json', [
      { Id: 'sha256:a', RepoTags: ['app:1'], RepoDigests: [] },
      { Id: 'sha256:b', RepoTags: ['app:2'], RepoDigests: [] },
    ]);
    api.emit({ Type: 'image', Action: 'tag', Actor: { ID: 'sha256:b' } });
    expect((await made.collect()).localOnlyImages).toBe(2);
    expect(api.count('/images/json')).toBe(2);
    // And after the resync interval without events.
    now += 600000;
    await made.collect();
    expect(api.count('/images/json')).toBe(3);
  });

  it('lists containers at each collection while the event stream is down', async () => {
    const api = daemon();
    made = collector(api, { watchEvents: false });
    await made.collect();
    await made.collect();
    expect(api.count('/containers/json')).toBe(2);
  });
});

describe('sameDataRoot: the pid file names the daemon behind --docker.host', () => {
  it('is the directory the process was started with', () => {
    expect(sameDataRoot('/var/lib/docker', { dockerRootDir: '/var/lib/docker' })).toBe(true);
    expect(sameDataRoot('/var/lib/docker', { dockerRootDir: '/srv/docker' })).toBe(false);
  });

  it('with --userns-remap, is the <uid>.<gid> directory the daemon made in it, and nothing else', () => {
    expect(sameDataRoot('/var/lib/docker', { dockerRootDir: '/var/lib/docker/500000.500000', usernsRemap: true })).toBe(true);
    expect(sameDataRoot('/var/lib/docker', { dockerRootDir: '/var/lib/docker/500000.500000' })).toBe(false);
    expect(sameDataRoot('/var/lib/docker', { dockerRootDir: '/var/lib/docker/volumes', usernsRemap: true })).toBe(false);
    expect(sameDataRoot('/var/lib/docker', { dockerRootDir: '/srv/500000.500000', usernsRemap: true })).toBe(false);
  });
});
