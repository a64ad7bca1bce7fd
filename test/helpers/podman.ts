import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ping, unmountUnder } from './dockerd';
import { startLogged, stopPid, untilAnswering } from './processes';

const run = promisify(execFile);

/**
 * A Debian podman serving its Docker-compatible API on a private socket
 * (`podman system service`), its storage under `dir`. This sandbox has no
 * CAP_SYS_RESOURCE, so runc cannot set rlimits ("error setting rlimit type 7"):
 * the runtime is a wrapper that drops process.rlimits from the bundle's
 * config.json and then runs runc.
 */
export class TestPodman {
  readonly socket: string;
  readonly root: string;
  readonly logFile: string;
  private readonly runtime: string;
  pid: number | undefined;

  constructor(readonly dir: string) {
    this.socket = path.join(dir, 'podman.sock');
    this.root = path.join(dir, 'root');
    this.logFile = path.join(dir, 'service.log');
    this.runtime = path.join(dir, 'runtime');
    mkdirSync(dir, { recursive: true });
  }

  get host(): string {
    return `unix://${this.socket}`;
  }

  private get globalFlags(): string[] {
    return [
      '--root',
      this.root,
      '--runroot',
      path.join(this.dir, 'run'),
      '--runtime',
      this.runtime,
      '--cgroup-manager',
      'cgroupfs',
      '--events-backend',
      'file',
      '--storage-driver',
      'overlay',
      '--tmpdir',
      path.join(this.dir, 'tmp'),
    ];
  }

  async start(): Promise<void> {
    writeFileSync(
      this.runtime,
      `#!${process.execPath}
const fs = require('node:fs'), path = require('node:path'), { spawnSync } = require('node:child_process');
const args = process.argv.slice(2);
const at = args.findIndex((a) => a === '--bundle' || a === '-b');
const bundle = at !== -1 ? args[at + 1] : (args.find((a) => a.startsWith('--bundle=')) || '').slice(9);
if (bundle) {
  const file = path.join(bundle, 'config.json');
  try { const spec = JSON.parse(fs.readFileSync(file, 'utf8')); if (spec.process) delete spec.process.rlimits; fs.writeFileSync(file, JSON.stringify(spec)); } catch {}
}
process.exit(spawnSync('runc', args, { stdio: 'inherit' }).status ?? 1);
`,
    );
    chmodSync(this.runtime, 0o755);
    const child = startLogged('podman', [...this.globalFlags, 'system', 'service', '--time=0', this.host], this.logFile);
    this.pid = child.pid;
    await untilAnswering(
      child,
      'podman',
      this.socket,
      () => ping(this.socket),
      () => readFileSync(this.logFile, 'utf8'),
    );
  }

  async podman(...args: string[]): Promise<string> {
    const { stdout } = await run('podman', [...this.globalFlags, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  }

  /** Imports the static busybox as `busybox:test`. */
  async importBusybox(): Promise<void> {
    const rootfs = path.join(this.dir, 'rootfs');
    rmSync(rootfs, { recursive: true, force: true });
    mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    writeFileSync(path.join(rootfs, 'bin', 'busybox'), readFileSync('/bin/busybox'));
    chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
    for (const applet of ['sh', 'sleep', 'true']) symlinkSync('busybox', path.join(rootfs, 'bin', applet));
    await run('sh', ['-c', `tar -C '${rootfs}' -c . | podman ${this.globalFlags.map((f) => `'${f}'`).join(' ')} import - busybox:test`]);
  }

  /** Stops the service and every container it ran; unmounts its storage. */
  async stop(): Promise<void> {
    await this.podman('rm', '--all', '--force', '--time', '0').catch(() => undefined);
    await stopPid(this.pid);
    this.pid = undefined;
    unmountUnder(this.dir);
  }
}
