import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { containerdRootOf, containerdRootToMeasure, DEFAULT_CONTAINERD_ROOT } from '../../../src/docker/containerdRoot';
import { tempDir } from '../../helpers/tempDir';

describe("containerd's root from its config.toml", () => {
  it('is the top-level root key, in either quoting, before any table', () => {
    expect(containerdRootOf('version = 3\nroot = "/data/containerd"\nstate = "/run/containerd"\n')).toBe('/data/containerd');
    expect(containerdRootOf("# comment\nroot = '/srv/ctrd'  # moved\n[grpc]\n  address = '/run/x.sock'\n")).toBe('/srv/ctrd');
  });
  it('is the default without the file, without the key, or when root appears only inside a table', () => {
    expect(containerdRootOf(undefined)).toBe(DEFAULT_CONTAINERD_ROOT);
    expect(containerdRootOf('version = 2\n')).toBe('/var/lib/containerd');
    expect(containerdRootOf('[plugins."io.containerd.grpc.v1.cri"]\n  root = "/elsewhere"\n')).toBe('/var/lib/containerd');
  });
});

describe("containerdRootToMeasure: an external containerd's root, as the daemon's host has its config", () => {
  let dir: string;
  const pid = 4242;
  const storage = { known: true as const, pid, externalContainerd: '/run/containerd/containerd.sock' };
  /** A /proc on disk whose daemon is in the mount namespace `daemonNs`, its root at dir/host. */
  const layout = (daemonNs: string) => {
    const proc = path.join(dir, 'proc');
    mkdirSync(path.join(proc, 'self', 'ns'), { recursive: true });
    mkdirSync(path.join(proc, String(pid), 'ns'), { recursive: true });
    symlinkSync('mnt:[4026531841]', path.join(proc, 'self', 'ns', 'mnt'));
    symlinkSync(daemonNs, path.join(proc, String(pid), 'ns', 'mnt'));
    mkdirSync(path.join(dir, 'host', 'nix', 'store'), { recursive: true });
    writeFileSync(path.join(dir, 'host', 'nix', 'store', 'abc-containerd.toml'), 'version = 2\nroot = "/srv/containerd"\n');
    symlinkSync(path.join(dir, 'host'), path.join(proc, String(pid), 'root'));
    return proc;
  };

  beforeEach(() => {
    dir = tempDir('containerd-root');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the config through /proc/<pid>/root when the daemon is in another mount namespace (a container; NixOS keeps it in /nix/store)', () => {
    const proc = layout('mnt:[4026532000]');
    expect(containerdRootToMeasure(storage, '/nix/store/abc-containerd.toml', proc)).toEqual({
      root: '/srv/containerd',
      path: `${proc}/${pid}/root/srv/containerd`,
    });
  });

  it("reads it here, and takes containerd's default where there is none, in the daemon's own namespace", () => {
    const proc = layout('mnt:[4026531841]');
    expect(containerdRootToMeasure(storage, '/nix/store/abc-containerd.toml', proc)).toEqual({
      root: '/var/lib/containerd',
      path: '/var/lib/containerd',
    });
  });
});
