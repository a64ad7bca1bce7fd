import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { metricCatalog, metricTable } from '../../../src/metrics/catalog';
import { exportedMetricNames } from '../../helpers/promql';

const root = path.join(__dirname, '../../..');
const goldenDir = path.join(root, 'test/fixtures/golden');

/** Each docker_* family of the golden /metrics files: its TYPE and the label names its samples carry. */
function goldenFamilies(): Map<string, { type: string; labels: Set<string> }> {
  const families = new Map<string, { type: string; labels: Set<string> }>();
  for (const file of readdirSync(goldenDir).filter((f) => f.endsWith('.prom'))) {
    for (const line of readFileSync(path.join(goldenDir, file), 'utf8').split('\n')) {
      const type = /^# TYPE (docker_\w+) (\w+)$/.exec(line);
      if (type) families.set(type[1] ?? '', families.get(type[1] ?? '') ?? { type: type[2] ?? '', labels: new Set() });
      const sample = /^(docker_\w+?)(?:\{(.*)\})? \S+$/.exec(line);
      if (sample) for (const m of (sample[2] ?? '').matchAll(/(\w+)="/g)) families.get(sample[1] ?? '')?.labels.add(m[1] ?? '');
    }
  }
  return families;
}

describe('the metric table of docs/metrics.md', () => {
  it('is the one made from the registered metrics (regenerate it with metricTable() after changing a metric)', () => {
    expect(readFileSync(path.join(root, 'docs/metrics.md'), 'utf8')).toContain(metricTable());
  });

  it("lists every docker_* metric the exporter registers, and only those (prom-client's own are described apart)", () => {
    const exported = [...exportedMetricNames()].filter((n) => n.startsWith('docker_')).sort();
    expect(metricCatalog().map((m) => m.name)).toEqual(exported);
  });

  it('says of each metric the type and label names its series have in the golden /metrics files', () => {
    const golden = goldenFamilies();
    expect(golden.size).toBeGreaterThan(40);
    for (const m of metricCatalog()) {
      const seen = golden.get(m.name);
      if (!seen) continue;
      expect([m.name, m.type]).toEqual([m.name, seen.type]);
      expect([m.name, [...seen.labels].filter((l) => !m.labels.includes(l))]).toEqual([m.name, []]);
    }
  });
});
