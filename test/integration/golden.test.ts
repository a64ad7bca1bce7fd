import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GOLDEN_DIR, GOLDEN_HOSTS } from '../golden/goldenHosts';

/**
 * The whole /metrics of each golden host, compared line by line with the file
 * under test/fixtures/golden: every change to what the exporter says shows in
 * review as a diff of that file. After an intended change: npm run golden.
 */
describe.each(GOLDEN_HOSTS.map((host) => [host.name, host] as const))('the golden /metrics of %s', (name, host) => {
  it('is what the exporter says, volatile values masked', async () => {
    const expected = readFileSync(path.join(GOLDEN_DIR, `${name}.prom`), 'utf8');
    expect((await host.metrics()).split('\n')).toEqual(expected.split('\n'));
  });
});
