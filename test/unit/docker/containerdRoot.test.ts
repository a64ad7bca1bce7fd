import { containerdRootOf, DEFAULT_CONTAINERD_ROOT } from '../../../src/docker/containerdRoot';

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
