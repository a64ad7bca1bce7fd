import winston from 'winston';
import { ContainerActivity } from '../../../src/docker/containerActivity';
import { ContainerInventory } from '../../../src/docker/containerInventory';
import { EngineError } from '../../../src/docker/engineApi';
import { ProblemTally } from '../../../src/parse/problems';
import { containerEvent, FakeEngineApi, id, inspected, listed, settle } from '../../helpers/fakeEngineApi';

const silent = winston.createLogger({ silent: true });

function inventory(api: FakeEngineApi, maxWaitMs = 1000) {
  const problems = new ProblemTally();
  const invalidated: string[] = [];
  const activity = new ContainerActivity();
  const inv = new ContainerInventory({
    api,
    logger: silent,
    problems,
    invalidate: (what) => invalidated.push(what),
    maxWaitMs,
    maxBackoffMs: 10,
    activity,
  });
  return { inv, problems, invalidated, activity };
}

const states = async (inv: ContainerInventory) =>
  Object.fromEntries(((await inv.current()) ?? []).map((c) => [c.name, `${c.state}/${c.networkMode}`]));

describe('ContainerInventory', () => {
  let inv: ContainerInventory | undefined;
  afterEach(() => inv?.stop());

  it('lists every container once when the stream opens, and knows nothing before', async () => {
    const api = new FakeEngineApi().on('/containers/json', [listed(id(1), 'web', 'running'), listed(id(2), 'db', 'exited', 'host')]);
    const made = inventory(api);
    inv = made.inv;
    expect(await inv.current()).toBeUndefined();
    inv.start();
    await settle();
    expect(await states(inv)).toEqual({ web: 'running/bridge', db: 'exited/host' });
    expect(made.invalidated).toEqual(['info', 'volumes', 'images']);
    expect(api.count('/containers/json')).toBe(1);
  });

  it('applies an event by inspecting the container it names, not by listing (the list lags the event)', async () => {
    let live = 'running';
    const api = new FakeEngineApi()
      .on('/containers/json', [listed(id(1), 'web', 'running')])
      .on(`/containers/${id(1)}/json`, () => inspected(id(1), 'web', live));
    inv = inventory(api).inv;
    inv.start();
    await settle();
    live = 'paused';
    api.emit(containerEvent('pause', id(1)));
    expect(await states(inv)).toEqual({ web: 'paused/bridge' });
    live = 'exited';
    api.emit(containerEvent('die', id(1)));
    expect(await states(inv)).toEqual({ web: 'exited/bridge' });
    expect(api.count('/containers/json')).toBe(1);
    expect(api.count(`/containers/${id(1)}/json`)).toBe(2);
  });

  it('follows network connect and disconnect by the container in the event attributes, and renames', async () => {
    let name = 'app';
    const api = new FakeEngineApi()
      .on('/containers/json', [])
      .on(`/containers/${id(3)}/json`, () => inspected(id(3), name, 'running', 'appnet'));
    inv = inventory(api).inv;
    inv.start();
    await settle();
    api.emit({ Type: 'network', Action: 'connect', Actor: { ID: 'f'.repeat(64), Attributes: { container: id(3), name: 'appnet' } } });
    expect(await states(inv)).toEqual({ app: 'running/custom' });
    name = 'app-renamed';
    api.emit(containerEvent('rename', id(3), { name: 'app-renamed', oldName: '/app' }));
    expect(await states(inv)).toEqual({ 'app-renamed': 'running/custom' });
  });

  it('removes a destroyed container even when an inspect of it was still on its way', async () => {
    let release: (() => void) | undefined;
    const api = new FakeEngineApi()
      .on('/containers/json', [listed(id(1), 'web', 'running')])
      .on(`/containers/${id(1)}/json`, () => new Promise((resolve) => (release = () => resolve(inspected(id(1), 'web', 'exited')))));
    inv = inventory(api).inv;
    inv.start();
    await settle();
    api.emit(containerEvent('die', id(1)));
    api.emit(containerEvent('destroy', id(1)));
    await settle();
    release?.();
    expect(await states(inv)).toEqual({});
  });

  it('drops a container whose inspect says it no longer exists', async () => {
    const api = new FakeEngineApi().on('/containers/json', [listed(id(1), 'web', 'running')]);
    inv = inventory(api).inv;
    inv.start();
    await settle();
    api.emit(containerEvent('die', id(1)));
    expect(await states(inv)).toEqual({});
  });

  it('inspects a Podman container (listed without HostConfig) once for its network mode, and keeps it across resyncs', async () => {
    const api = new FakeEngineApi()
      .on('/containers/json', [listed(id(5), 'pod', 'running', null)])
      .on(`/containers/${id(5)}/json`, inspected(id(5), 'pod', 'running', 'host'));
    const made = inventory(api);
    inv = made.inv;
    inv.start();
    await settle();
    expect(await states(inv)).toEqual({ pod: 'running/host' });
    api.closeStream();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await states(inv)).toEqual({ pod: 'running/host' });
    expect(made.problems.counts().size).toBe(0);
  });

  it("forgets a container's restarts record when its inspect says it is gone, and when a resync's list no longer has it", async () => {
    const api = new FakeEngineApi()
      .on('/containers/json', [listed(id(1), 'web', 'running'), listed(id(2), 'job', 'running')])
      .on(`/containers/${id(1)}/json`, inspected(id(1), 'web', 'running'))
      .on(`/containers/${id(2)}/json`, inspected(id(2), 'job', 'running'));
    const made = inventory(api);
    inv = made.inv;
    inv.start();
    await settle();
    api.emit(containerEvent('restart', id(1), { name: 'web' }));
    api.emit(containerEvent('restart', id(2), { name: 'job' }));
    await inv.current();
    expect(
      made.activity
        .view()
        .restarts.map((r) => r.name)
        .sort(),
    ).toEqual(['job', 'web']);
    // web's inspect answers 404 (removed meanwhile); job is destroyed while the stream is down, its destroy missed.
    api.on(`/containers/${id(1)}/json`, new EngineError(`GET /containers/${id(1)}/json: HTTP 404: No such container`, 'http', 404));
    api.emit(containerEvent('die', id(1)));
    await inv.current();
    expect(made.activity.view().restarts.map((r) => r.name)).toEqual(['job']);
    api.on('/containers/json', []);
    api.closeStream();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await inv.current();
    expect(made.activity.view()).toMatchObject({ restarts: [], restartsTotal: 2 });
  });

  it('says it does not know while the stream is down, and lists again when it is back', async () => {
    const api = new FakeEngineApi().on('/containers/json', [listed(id(1), 'web', 'running')]);
    inv = inventory(api).inv;
    inv.start();
    await settle();
    api.closeStream();
    expect(await inv.current()).toBeUndefined();
    expect(inv.connected).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await states(inv)).toEqual({ web: 'running/bridge' });
    expect(api.count('/containers/json')).toBe(2);
  });

  it('gives up on the stream when an inspect fails, so the collector lists instead', async () => {
    const api = new FakeEngineApi()
      .on('/containers/json', [listed(id(1), 'web', 'running')])
      .on(`/containers/${id(1)}/json`, new EngineError('GET: no complete answer within 5 ms', 'timeout'));
    inv = inventory(api).inv;
    api.autoOpen = true;
    inv.start();
    await settle();
    api.emit(containerEvent('die', id(1)));
    await settle();
    expect(await inv.current()).toBeUndefined();
  });

  it('waits at most maxWaitMs for events to be applied when the daemon is slow', async () => {
    const api = new FakeEngineApi()
      .on('/containers/json', [listed(id(1), 'web', 'running')])
      .on(`/containers/${id(1)}/json`, () => new Promise(() => undefined));
    inv = inventory(api, 50).inv;
    inv.start();
    await settle();
    api.emit(containerEvent('die', id(1)));
    expect(await states(inv)).toEqual({ web: 'running/bridge' });
  });

  it('counts events it cannot use, and ignores actions that change nothing it reports', async () => {
    const api = new FakeEngineApi().on('/containers/json', []);
    const made = inventory(api);
    inv = made.inv;
    inv.start();
    await settle();
    api.emit('not an object');
    api.emit(containerEvent('start', 'not-an-id'));
    api.emit(containerEvent('exec_start: sh', id(1)));
    api.emit({ Type: 'image', Action: 'pull', Actor: { ID: 'busybox' } });
    await settle();
    expect(Object.fromEntries(made.problems.counts())).toEqual({ events: 1, 'events.container': 1 });
    expect(made.invalidated).toEqual(['info', 'volumes', 'images', 'info', 'images']);
    expect(api.calls.filter((c) => c.startsWith('GET /containers/') && c !== 'GET /containers/json')).toEqual([]);
  });
});
