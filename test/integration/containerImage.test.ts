import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { TestDaemon } from '../helpers/dockerd';
import { Metrics, repoRoot } from '../helpers/exporter';
import { waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/tempDir';

const run = promisify(execFile);

/** Shared libraries a program needs, as ldd names them. */
function libraries(program: string): string[] {
  return [...execFileSync('ldd', [program], { encoding: 'utf8' }).matchAll(/(\/\S+\.so[.\d]*)/g)].map((m) => m[1] as string);
}

/**
 * No registry is reachable here, so node:20-bookworm-slim is made locally: this
 * machine's node, npm and their libraries, a busybox for the shell, setcap,
 * the CA certificates, imported with docker import under that name. The
 * Dockerfile is built against it as it is.
 */
function baseImageRoot(dir: string): string {
  const rootfs = path.join(dir, 'base');
  const put = (from: string, to = from) => {
    mkdirSync(path.join(rootfs, path.dirname(to)), { recursive: true });
    copyFileSync(realpathSync(from), path.join(rootfs, to));
    chmodSync(path.join(rootfs, to), statSync(realpathSync(from)).mode & 0o7777);
  };
  const node = realpathSync(process.execPath);
  put(node, '/usr/local/bin/node');
  const setcap = execFileSync('sh', ['-c', 'command -v setcap'], { encoding: 'utf8' }).trim();
  put(setcap, '/usr/sbin/setcap');
  for (const lib of new Set([...libraries(node), ...libraries(setcap)])) put(lib);
  const npm = path.dirname(path.dirname(realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim())));
  cpSync(npm, path.join(rootfs, 'usr/local/lib/node_modules/npm'), { recursive: true });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', path.join(rootfs, 'usr/local/bin/npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', path.join(rootfs, 'usr/local/bin/npx'));
  put('/bin/busybox', '/bin/busybox');
  for (const applet of ['sh', 'cp', 'mkdir', 'rm', 'awk', 'cat', 'ls', 'env', 'chmod', 'ln', 'mv'])
    symlinkSync('busybox', path.join(rootfs, 'bin', applet));
  // npm's scripts begin #!/usr/bin/env node.
  mkdirSync(path.join(rootfs, 'usr/bin'), { recursive: true });
  symlinkSync('/bin/busybox', path.join(rootfs, 'usr/bin/env'));
  put('/etc/ssl/certs/ca-certificates.crt');
  mkdirSync(path.join(rootfs, 'tmp'), { recursive: true, mode: 0o1777 });
  mkdirSync(path.join(rootfs, 'root'), { recursive: true });
  writeFileSync(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532::/home/nonroot:/bin/sh\n');
  writeFileSync(path.join(rootfs, 'etc/group'), 'root:x:0:\nnonroot:x:65532:\n');
  writeFileSync(path.join(rootfs, 'etc/resolv.conf'), readFileSync('/etc/resolv.conf'));
  return rootfs;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

describe('the container image, built from the Dockerfile and run as the README says', () => {
  const dir = tempDir('image');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  let url = '';

  beforeAll(async () => {
    // Pinned in the file its --config-file names, which the container does not mount (NixOS's /nix/store
    // file is not in a container either): the exporter reads it in the daemon's mount namespace.
    await daemon.start({ daemonJson: '{"storage-driver": "overlay2"}' });
    const rootfs = baseImageRoot(dir);
    await run('sh', [
      '-c',
      `tar -C '${rootfs}' -c . | docker --host '${daemon.host}' import --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' - node:20-bookworm-slim`,
    ]);
    // The build reaches the npm registry from the host's network: this daemon has no bridge.
    await run('docker', ['--host', daemon.host, 'build', '--network', 'host', '-t', 'docker-daemon-exporter:test', repoRoot()], {
      maxBuffer: 64 * 1024 * 1024,
    });
    await daemon.importBusybox();
    await daemon.docker('run', '-d', '--name', 'watched', 'busybox:test', 'sleep', '100000');
    const port = await freePort();
    // The README's docker run line, with this daemon's socket, pid file and data root in place of the defaults.
    await daemon.docker(
      'run',
      '-d',
      '--name',
      'exporter',
      '--network',
      'host',
      '--pid',
      'host',
      '--read-only',
      '--cap-drop',
      'ALL',
      '--cap-add',
      'DAC_READ_SEARCH',
      '--cap-add',
      'SYS_PTRACE',
      '--group-add',
      String(statSync(daemon.socket).gid),
      '-v',
      `${daemon.socket}:/var/run/docker.sock`,
      '-v',
      `${daemon.pidFile}:/var/run/docker.pid:ro`,
      '-v',
      `${daemon.dataRoot}:/host/var/lib/docker:ro`,
      'docker-daemon-exporter:test',
      '--docker.data-root',
      '/host/var/lib/docker',
      '--web.listen-address',
      `127.0.0.1:${port}`,
    );
    url = `http://127.0.0.1:${port}/metrics`;
  }, 600000);
  afterAll(async () => {
    await daemon.docker('rm', '-f', 'exporter', 'watched').catch(() => undefined);
    await daemon.stop();
  });

  it('runs as a user other than root, on a read-only root filesystem', async () => {
    expect(await daemon.docker('inspect', '--format', '{{.Config.User}} {{.HostConfig.ReadonlyRootfs}}', 'exporter')).toBe(
      '65532:65532 true',
    );
  });

  it("serves /metrics: the driver, the pin in the daemon's own daemon.json read through the host pid namespace, the data root scanned through the mount", async () => {
    const m = await waitFor(
      'the exporter in its container to have scanned the data root',
      async () => {
        const res = await fetch(url).catch(() => undefined);
        if (!res?.ok) return undefined;
        const metrics = new Metrics(await res.text());
        return metrics.value('docker_data_root_scan_success') === 1 ? metrics : undefined;
      },
      60000,
      500,
    ).catch(async (err: unknown) => {
      const state = await daemon.docker('inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'exporter').catch(() => '?');
      const logs = await run('sh', ['-c', `docker --host '${daemon.host}' logs exporter 2>&1`]).then(
        (r) => r.stdout,
        () => '',
      );
      throw new Error(`${err instanceof Error ? err.message : String(err)}\ncontainer: ${state}\n${logs}`);
    });
    expect(m.value('docker_up')).toBe(1);
    expect(m.value('docker_storage_driver_info', { driver: 'overlay2' })).toBe(1);
    expect(m.value('docker_storage_driver_explicit', { source: 'config_file' })).toBe(1);
    expect(m.value('docker_containers', { state: 'running', network_mode: 'bridge' })).toBeGreaterThanOrEqual(1);
    expect(m.value('docker_data_root_bytes', { dir: 'overlay2' })).toBeGreaterThan(0);
    expect(m.all('docker_data_root_scan_errors')).toEqual([]);
  });
});
