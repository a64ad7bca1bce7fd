import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../helpers/cli';
import { TestDaemon } from '../helpers/dockerd';
import { tempDir } from '../helpers/tempDir';
import type { Plan } from '../../src/plan/plan';

const run = promisify(execFile);

/** The fields the plan's re-create command covers, as docker inspect shows them. */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/restrict-template-expressions --
   docker inspect's JSON, read field by field as docker prints it: a type of it would repeat Docker's API here. */
function covered(inspect: Record<string, any>): Record<string, unknown> {
  const c = inspect['Config'] ?? {};
  const h = inspect['HostConfig'] ?? {};
  return {
    name: inspect['Name'],
    image: c.Image,
    cmd: c.Cmd,
    entrypoint: c.Entrypoint,
    env: [...(c.Env ?? [])].sort(),
    ports: h.PortBindings,
    mounts: (inspect['Mounts'] ?? [])
      .map((m: Record<string, unknown>) => `${m['Type']} ${m['Name'] ?? m['Source']} ${m['Destination']} ${m['RW']}`)
      .sort(),
    tmpfs: h.Tmpfs,
    network: h.NetworkMode,
    networks: Object.keys(inspect['NetworkSettings']?.Networks ?? {}).sort(),
    restart: h.RestartPolicy,
    labels: c.Labels,
    user: c.User,
    workdir: c.WorkingDir,
    // Unless set, a container's hostname is its own short id: a new container has another.
    hostname: h.NetworkMode === 'host' ? 'the host' : c.Hostname === String(inspect['Id']).slice(0, 12) ? 'its id' : c.Hostname,
    extraHosts: h.ExtraHosts,
    log: h.LogConfig,
    limits: [h.Memory, h.NanoCpus, h.CpuShares, h.PidsLimit],
    caps: [h.CapAdd, h.CapDrop],
    devices: h.Devices,
    privileged: h.Privileged,
    running: inspect['State']?.Running,
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/restrict-template-expressions */

function checksum(dir: string): string {
  const hash = createHash('sha256');
  const walk = (p: string) => {
    for (const name of readdirSync(p, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(p, name.name);
      hash.update(`${path.relative(dir, full)}\n`);
      if (name.isDirectory()) walk(full);
      else if (name.isFile()) hash.update(readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

/**
 * The round trip: containers with every option the plan covers on a vfs
 * daemon; `plan --format script`; its save step; the daemon switched to
 * overlay2, explicitly; its restore step. Every re-created container equals
 * the original on every covered field, the local-only image is back, the
 * volume's contents are byte-identical.
 */
describe('plan: the migration round trip on a real dockerd, vfs to overlay2', () => {
  const dir = tempDir('plan');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const bind = path.join(dir, 'bind');
  const names = ['full', 'priv', 'edge', 'stopped', 'multi'];
  const before: Record<string, Record<string, unknown>> = {};
  let plan: Plan;
  let volumeBefore = '';
  let script = '';

  beforeAll(async () => {
    mkdirSync(bind);
    writeFileSync(path.join(bind, 'config.txt'), 'bound');
    await daemon.start({ args: ['--storage-driver', 'vfs'] });
    await daemon.importBusybox();
    await daemon.docker('network', 'create', '--subnet', '10.231.1.0/24', 'appnet');
    await daemon.docker('network', 'create', '--subnet', '10.231.2.0/24', 'backnet');
    await daemon.docker('volume', 'create', 'data');
    await daemon.docker(
      'run',
      '--rm',
      '-v',
      'data:/data',
      'busybox:test',
      'sh',
      '-c',
      'echo precious > /data/file; i=0; while [ $i -lt 50 ]; do echo $i >> /data/log; i=$((i+1)); done',
    );
    await daemon.docker(
      'run',
      '-d',
      '--name',
      'full',
      '--network',
      'appnet',
      '-p',
      '127.0.0.1:18481:80',
      '-e',
      'MODE=prod',
      '-e',
      'EMPTY=',
      '--label',
      'team=shop',
      '--label',
      'tier=web',
      '--restart',
      'unless-stopped',
      '--mount',
      'type=volume,src=data,dst=/data',
      '--mount',
      `type=bind,src=${bind},dst=/bind,readonly`,
      '--tmpfs',
      '/scratch',
      '--user',
      '1000:1000',
      '--workdir',
      '/data',
      '--hostname',
      'full-host',
      '--add-host',
      'db:10.0.0.5',
      '--log-opt',
      'max-size=10m',
      '--memory',
      '64m',
      '--cpus',
      '0.5',
      '--cpu-shares',
      '512',
      '--pids-limit',
      '100',
      '--cap-add',
      'NET_ADMIN',
      '--cap-drop',
      'MKNOD',
      '--device',
      '/dev/null:/dev/xnull:r',
      '--entrypoint',
      'sh',
      'busybox:test',
      '-c',
      'sleep 100000',
    );
    // Created, not started: this sandbox may not grant a privileged container its capabilities.
    await daemon.docker('create', '--name', 'priv', '--privileged', 'busybox:test', 'sleep', '100000');
    await daemon.docker('run', '-d', '--name', 'edge', '--network', 'host', 'busybox:test', 'busybox', 'httpd', '-f', '-p', '19481');
    await daemon.docker('create', '--name', 'stopped', '--restart', 'on-failure:3', 'busybox:test', 'true');
    await daemon.docker('run', '-d', '--name', 'multi', '--network', 'appnet', 'busybox:test', 'sleep', '100000');
    await daemon.docker('network', 'connect', 'backnet', 'multi');
    for (const name of names)
      before[name] = covered((JSON.parse(await daemon.docker('inspect', name)) as Record<string, unknown>[])[0] ?? {});
    volumeBefore = checksum(path.join(daemon.dataRoot, 'volumes', 'data', '_data'));
    const cli = ['--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile];
    plan = JSON.parse((await runCli(['plan', '--format', 'json', ...cli])).stdout) as Plan;
    script = (await runCli(['plan', '--format', 'script', ...cli])).stdout;
    writeFileSync(path.join(dir, 'migrate.sh'), script);
  });
  afterAll(() => daemon.stop());

  it('tells each container its volumes and binds, its writable layer, whether its image is only here, and what it cannot carry over', () => {
    const full = plan.containers.find((c) => c.name === 'full');
    expect(full?.volumes).toEqual([{ name: 'data', destination: '/data' }]);
    expect(full?.binds).toEqual([{ source: bind, destination: '/bind' }]);
    expect(full?.imageLocalOnly).toBe(true);
    expect(full?.writableLayerSource).toBe('data_root');
    expect(full?.writableLayerBytes).toBeGreaterThan(0);
    expect(plan.totals).toMatchObject({ containers: 5, local_only_images: 1 });
    expect(plan.containers.flatMap((c) => c.recreate.unreproduced)).toEqual([]);
    // Host networking: the bridge form, with the port it listens on published, as a suggestion.
    expect(plan.containers.find((c) => c.name === 'edge')?.bridgeSuggestion).toMatchObject({
      ports: [19481],
      argv: expect.arrayContaining(['-p', '19481:19481']),
    });
  });

  it('its script saves the local-only image, and after the switch loads it and makes every container again, equal on every covered field', async () => {
    const env = { ...process.env, DOCKER_HOST: daemon.host, MIGRATION_DIR: path.join(dir, 'migration') };
    await run('sh', [path.join(dir, 'migrate.sh'), 'save'], { env });
    await daemon.stop();
    await daemon.start({ args: ['--storage-driver', 'overlay2'] });
    expect(await daemon.docker('ps', '-aq')).toBe('');
    await run('sh', [path.join(dir, 'migrate.sh'), 'restore'], { env });
    for (const name of names) {
      const after = covered((JSON.parse(await daemon.docker('inspect', name)) as Record<string, unknown>[])[0] ?? {});
      expect({ name, ...after }).toEqual({ name, ...before[name] });
    }
    expect(await daemon.docker('images', '--format', '{{.Repository}}:{{.Tag}}')).toBe('busybox:test');
    expect(checksum(path.join(daemon.dataRoot, 'volumes', 'data', '_data'))).toBe(volumeBefore);
    expect(await daemon.docker('exec', 'full', 'sh', '-c', 'read x < /data/file; echo $x')).toBe('precious');
  });
});
