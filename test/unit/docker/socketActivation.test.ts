import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { wakingReason } from '../../../src/docker/socketActivation';
import { tempDir } from '../../helpers/tempDir';

/** A /proc laid out on disk: processes with a command name and descriptors (symlinks to socket:[inode]), and net/unix. */
describe('wakingReason over a /proc laid out on disk', () => {
  let dir: string;
  const socket = '/run/docker.sock';
  const proc = () => path.join(dir, 'proc');
  const runs = (pid: number, command: string, sockets: string[], argv = [command]) => {
    const base = path.join(proc(), String(pid));
    mkdirSync(path.join(base, 'fd'), { recursive: true });
    writeFileSync(path.join(base, 'comm'), `${command}\n`);
    writeFileSync(path.join(base, 'cmdline'), `${argv.join('\0')}\0`);
    sockets.forEach((inode, fd) => symlinkSync(`socket:[${inode}]`, path.join(base, 'fd', String(fd + 3))));
  };
  const listening = (inode: string, at: string) =>
    writeFileSync(
      path.join(proc(), 'net', 'unix'),
      `Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000001: 00000002 00000000 00010000 0001 01 ${inode} ${at}\n`,
    );
  const reason = () => wakingReason({ socketPath: socket, pidFile: path.join(dir, 'docker.pid'), procRoot: proc() });

  beforeEach(() => {
    dir = tempDir('waking');
    mkdirSync(path.join(dir, 'proc', 'net'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the activator when only it holds the listening socket and the pid file names no dockerd', () => {
    runs(1, 'systemd', ['9001']);
    runs(77, 'sshd', ['12']);
    listening('9001', socket);
    expect(reason()).toMatch(/held by systemd \(pid 1\) for socket activation/);
  });

  it('connects when the daemon holds the socket too (started by activation, its pid file elsewhere)', () => {
    runs(1, 'systemd', ['9001']);
    runs(4242, 'dockerd', ['9001'], ['/usr/bin/dockerd', '-H', 'fd://']);
    listening('9001', socket);
    expect(reason()).toBeUndefined();
  });

  it('connects when the pid file names a running dockerd, without looking at the socket', () => {
    runs(1, 'systemd', ['9001']);
    runs(4242, 'dockerd', [], ['/usr/bin/dockerd', '-H', 'fd://']);
    listening('9001', socket);
    writeFileSync(path.join(dir, 'docker.pid'), '4242\n');
    expect(reason()).toBeUndefined();
  });

  it('connects when nothing listens there, or another program than an activator holds it', () => {
    runs(1, 'systemd', ['9001']);
    listening('9001', '/run/other.sock');
    expect(reason()).toBeUndefined();
    runs(99, 'node', ['9002']);
    listening('9002', socket);
    expect(reason()).toBeUndefined();
  });
});
