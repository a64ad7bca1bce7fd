import { ChildProcess, execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { repoRoot } from './exporter';
import { startLogged, stopPid, waitFor, which } from './processes';

/**
 * A Debian 12 guest under qemu (TCG: nested KVM stalls here), for what this machine's kernel
 * cannot do: device-mapper. Its image is built from Debian's packages by scripts/build-test-vm
 * and cached, keyed by the recipe and the node binary copied in; every boot starts from the
 * image as built (a qcow2 overlay in the test's temporary directory). The guest reaches no
 * network; its ssh port is forwarded on 127.0.0.1 only. The project is shared read-only at
 * /project (9p), so the guest runs the exporter as built here, with the host's node.
 */
export const VM_CACHE = process.env['DDE_TEST_VM_CACHE'] ?? '/var/cache/docker-daemon-exporter-test-vm';
const RECIPE = path.join(repoRoot(), 'scripts', 'build-test-vm');

/** What the VM tests need on this machine, or undefined when it is all there. */
export function vmMissing(): string | undefined {
  const programs = ['qemu-system-x86_64', 'qemu-img', 'debootstrap', 'mke2fs', 'ssh', 'ssh-keygen'].filter((p) => !which(p));
  if (programs.length > 0) return `missing ${programs.join(', ')} (scripts/install-test-packages installs them)`;
  if (process.getuid?.() !== 0) return 'the guest image is built as root (debootstrap)';
  return undefined;
}

function recipeHash(): string {
  return createHash('sha256')
    .update(readFileSync(RECIPE))
    .update(execFileSync(process.execPath, ['--version'], { encoding: 'utf8' }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * The image directory for the current recipe, built when missing (about 3 minutes). A lock
 * file keeps two test files from building it at once; an interrupted build leaves no image.
 */
export async function vmImage(): Promise<string> {
  const dir = path.join(VM_CACHE, recipeHash());
  if (existsSync(path.join(dir, 'root.img'))) return dir;
  mkdirSync(VM_CACHE, { recursive: true });
  const lock = `${dir}.lock`;
  await waitFor(
    'the guest image build lock',
    () => {
      try {
        closeSync(openSync(lock, 'wx'));
        return true;
      } catch {
        return existsSync(path.join(dir, 'root.img')) ? true : undefined;
      }
    },
    15 * 60000,
    1000,
  );
  try {
    if (existsSync(path.join(dir, 'root.img'))) return dir;
    const building = `${dir}.building`;
    rmSync(building, { recursive: true, force: true });
    await run(RECIPE, [building], 20 * 60000);
    writeFileSync(path.join(building, 'recipe'), `${recipeHash()}\n`);
    renameSync(building, dir);
    return dir;
  } finally {
    rmSync(lock, { force: true });
  }
}

function run(command: string, args: string[], timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(command)} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface VmOptions {
  /** Sizes in GiB of extra empty disks: /dev/vdb, /dev/vdc, … in the guest. */
  disks?: number[];
  /** Host directories shared read-only, mounted in the guest at /mnt/<tag>. */
  shares?: Record<string, string>;
}

export class TestVm {
  private child: ChildProcess | undefined;
  private port = 0;
  private readonly key: string;

  /** `dir`: a temporary directory of the test's (tempDir), holding the overlay, the key and the console log. */
  constructor(private readonly dir: string) {
    this.key = path.join(dir, 'key');
  }

  get consoleLog(): string {
    try {
      return readFileSync(path.join(this.dir, 'console.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async start(options: VmOptions = {}): Promise<void> {
    const missing = vmMissing();
    if (missing) throw new Error(`the devicemapper tests need a qemu guest: ${missing}`);
    const image = await vmImage();
    // The guest's sshd reads authorized_keys from the share "hostrun" (this directory, read-only).
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', this.key]);
    writeFileSync(path.join(this.dir, 'authorized_keys'), readFileSync(`${this.key}.pub`));
    const overlay = path.join(this.dir, 'root.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', path.join(image, 'root.img'), '-F', 'raw', overlay]);
    const drives = ['-drive', `file=${overlay},if=virtio,format=qcow2`];
    for (const [i, size] of (options.disks ?? []).entries()) {
      const disk = path.join(this.dir, `disk${i}.qcow2`);
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, `${size}G`]);
      drives.push('-drive', `file=${disk},if=virtio,format=qcow2`);
    }
    this.port = await freePort();
    this.child = startLogged(
      'qemu-system-x86_64',
      [
        ...['-accel', 'tcg,thread=multi', '-cpu', 'max', '-smp', '2', '-m', '4096'],
        ...['-display', 'none', '-monitor', 'none', '-serial', `file:${path.join(this.dir, 'console.log')}`, '-no-reboot'],
        ...['-kernel', path.join(image, 'vmlinuz'), '-initrd', path.join(image, 'initrd.img')],
        ...['-append', 'root=/dev/vda rw console=ttyS0 net.ifnames=0 apparmor=0 panic=-1'],
        ...drives,
        ...['-nic', `user,restrict=on,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:${this.port}-:22`],
        ...['-virtfs', `local,path=${repoRoot()},mount_tag=project,security_model=none,readonly=on`],
        ...['-virtfs', `local,path=${this.dir},mount_tag=hostrun,security_model=none,readonly=on`],
        ...Object.entries(options.shares ?? {}).flatMap(([tag, hostPath]) => [
          '-virtfs',
          `local,path=${hostPath},mount_tag=${tag},security_model=none,readonly=on`,
        ]),
      ],
      path.join(this.dir, 'qemu.log'),
    );
    this.child.unref();
    await waitFor(
      'the guest to answer on ssh',
      async () => {
        if (this.child?.exitCode !== null) {
          throw Object.assign(
            new Error(`qemu exited:\n${readFileSync(path.join(this.dir, 'qemu.log'), 'utf8')}\n${this.consoleLog.slice(-3000)}`),
            {
              final: true,
            },
          );
        }
        return (await this.ssh('true', 15000).then(
          () => true,
          () => false,
        ))
          ? true
          : undefined;
      },
      5 * 60000,
      2000,
    );
    for (const tag of Object.keys(options.shares ?? {})) {
      await this.ssh(`mkdir -p /mnt/${tag} && mount -t 9p -o trans=virtio,version=9p2000.L,ro ${tag} /mnt/${tag}`);
    }
  }

  /** Runs a shell command in the guest as root; its standard output, or an error with its standard error. */
  ssh(command: string, timeoutMs = 10 * 60000): Promise<string> {
    return run(
      'ssh',
      [
        ...['-i', this.key, '-p', String(this.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null'],
        ...['-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes', 'root@127.0.0.1', command],
      ],
      timeoutMs,
    );
  }

  /**
   * Debian's dockerd started with `settings` as /etc/docker/daemon.json, and busybox:test imported from
   * the guest's static busybox (PATH=/: `busybox …` and `/busybox …` both run); then `then`, in order.
   */
  async startDocker(settings: Record<string, unknown>, then: string[] = []): Promise<void> {
    await this.ssh(
      [
        'mkdir -p /etc/docker',
        `echo '${JSON.stringify(settings)}' > /etc/docker/daemon.json`,
        'systemctl start docker',
        "mkdir -p /tmp/bb && cp /bin/busybox /tmp/bb/ && tar -C /tmp/bb -c . | docker import -c 'ENV PATH=/' - busybox:test >/dev/null",
        ...then,
      ].join(' && '),
    );
  }

  /** The exporter's command line, in the guest, as built here. */
  exporter(args: string): Promise<string> {
    return this.ssh(`node /project/dist/src/main.js ${args}`);
  }

  async stop(): Promise<void> {
    // A clean shutdown is not needed: the overlay is thrown away.
    await stopPid(this.child?.pid, 5000);
  }
}
