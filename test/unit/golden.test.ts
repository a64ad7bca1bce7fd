import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GOLDEN_DIR, GOLDEN_HOSTS } from '../golden/goldenHosts';

/**
 * The golden /metrics of the hosts that need no real daemon and no scan,
 * made by the exporter's own parts in this process: the same files the
 * integration test compares the built binary against, in a second, with
 * neither a build nor root.
 */
const hosts = GOLDEN_HOSTS.filter((host) => host.inProcess !== undefined);

describe.each(hosts.map((host) => [host.name, host] as const))('the golden /metrics of %s, in process', (name, host) => {
  it('is what the exporter says, volatile values masked', async () => {
    const expected = readFileSync(path.join(GOLDEN_DIR, `${name}.prom`), 'utf8');
    expect((await host.inProcess?.())?.split('\n')).toEqual(expected.split('\n'));
  });
});

it('covers the replayed and daemon-down hosts', () => {
  expect(hosts.map((h) => h.name).sort()).toEqual(['daemon-down', 'devicemapper-replay', 'direct-lvm-replay']);
});
