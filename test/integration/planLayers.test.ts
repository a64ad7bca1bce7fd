import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { engineRequest, TestDaemon } from '../helpers/dockerd';
import { tempDir } from '../helpers/tempDir';
import type { Plan } from '../../src/plan/plan';

/** More containers than plan walks in its own process: their writable layers are walked in walker processes. */
const CONTAINERS = 72;

/**
 * `plan` on a real dockerd (overlay2) with enough containers that it walks
 * their writable layers in walker processes while it inspects them: every
 * container's figure is what `du -sx -B1` says of its layer, files written
 * into some layers, hardlinks within a layer and across two counted as du
 * counts each layer on its own.
 */
describe('plan: writable layers of many containers, walked in walker processes', () => {
  const dir = tempDir('plan-layers');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  let plan: Plan;
  let stderr = '';
  const layerOf = (id: string) => {
    const mountId = readFileSync(path.join(daemon.dataRoot, 'image', 'overlay2', 'layerdb', 'mounts', id, 'mount-id'), 'utf8').trim();
    return path.join(daemon.dataRoot, 'overlay2', mountId, 'diff');
  };

  beforeAll(async () => {
    await daemon.start({ args: ['--storage-driver', 'overlay2'] });
    await daemon.importBusybox();
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < CONTAINERS) {
          const n = next++;
          const created = (await engineRequest(daemon.socket, 'POST', `/containers/create?name=c${n}`, {
            Image: 'busybox:test',
            Cmd: ['true'],
          })) as { Id: string };
          ids[n] = created.Id;
        }
      }),
    );
    // Files written into a few layers as if their containers had written them: sizes, a sparse file, hardlinks.
    for (const [n, id] of ids.slice(0, 6).entries()) {
      const data = path.join(layerOf(id), 'data');
      mkdirSync(path.join(data, 'deep', 'er'), { recursive: true });
      for (let f = 0; f < 20 * (n + 1); f++) writeFileSync(path.join(data, f % 2 ? 'deep' : 'deep/er', `f${f}`), Buffer.alloc(1000 * f, 1));
      writeFileSync(path.join(data, 'twice'), Buffer.alloc(50_000, 2));
      linkSync(path.join(data, 'twice'), path.join(data, 'twice-again'));
    }
    execFileSync('truncate', ['-s', '1G', path.join(layerOf(ids[1] as string), 'data', 'sparse')]);
    writeFileSync(path.join(layerOf(ids[2] as string), 'data', 'shared'), Buffer.alloc(80_000, 3));
    linkSync(path.join(layerOf(ids[2] as string), 'data', 'shared'), path.join(layerOf(ids[3] as string), 'data', 'shared'));
    const result = await runCli([
      'plan',
      '--format',
      'json',
      '--log.level',
      'debug',
      '--docker.host',
      daemon.host,
      '--docker.pid-file',
      daemon.pidFile,
    ]);
    expect(result.code).toBe(0);
    plan = JSON.parse(result.stdout) as Plan;
    stderr = result.stderr;
  }, 180000);
  afterAll(() => daemon.stop());

  it('walks them in walker processes', () => {
    expect(stderr).toMatch(new RegExp(`walked in walker processes" layers=${CONTAINERS} `));
  });

  it("gives every container du -sx -B1's figure of its writable layer", () => {
    expect(plan.containers).toHaveLength(CONTAINERS);
    const written = plan.containers.filter((c) => ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'].includes(c.name));
    expect(written).toHaveLength(6);
    for (const c of plan.containers) {
      const du = Number(execFileSync('du', ['-sx', '-B1', layerOf(c.id)], { encoding: 'utf8' }).split('\t')[0]);
      expect({ name: c.name, source: c.writableLayerSource, bytes: c.writableLayerBytes }).toEqual({
        name: c.name,
        source: 'data_root',
        bytes: du,
      });
    }
    // The layers with files weigh more than the empty ones, the one with the sparse gigabyte no more than what it holds.
    const empty = plan.containers.find((c) => c.name === 'c70')?.writableLayerBytes ?? 0;
    for (const c of written) expect(c.writableLayerBytes ?? 0).toBeGreaterThan(empty + 50_000);
    expect(written.find((c) => c.name === 'c1')?.writableLayerBytes ?? Infinity).toBeLessThan(1e8);
  });
});
