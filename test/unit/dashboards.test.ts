import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DASHBOARDS, render } from '../../dashboards/generate';
import { exportedMetricNames, metricNames } from '../helpers/promql';

const dir = path.join(__dirname, '../../dashboards');
type Panel = { title: string; description?: string; datasource?: { uid?: string }; fieldConfig?: { defaults?: { unit?: string } }; targets?: { expr: string; datasource?: { uid?: string } }[] };

describe.each(Object.keys(DASHBOARDS))('dashboard %s', (file) => {
  const text = readFileSync(path.join(dir, file), 'utf8');
  const dashboard = JSON.parse(text) as { uid: string; templating: { list: { name: string }[] }; panels: Panel[] };

  it('is what the generator makes (run npm run dashboards after changing it)', () => {
    expect(text).toBe(render(DASHBOARDS[file] as () => Record<string, unknown>));
  });

  it('has a stable uid and the datasource, job and instance variables', () => {
    expect(dashboard.uid).toMatch(/^dde-[a-z]+$/);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'job', 'instance']);
  });

  it('gives every panel a unit, a description and the $datasource', () => {
    expect(dashboard.panels.length).toBeGreaterThan(5);
    for (const p of dashboard.panels) {
      expect([p.title, p.fieldConfig?.defaults?.unit]).toEqual([p.title, expect.stringMatching(/.+/)]);
      expect([p.title, (p.description ?? '').length > 20]).toEqual([p.title, true]);
      expect([p.title, p.datasource?.uid]).toEqual([p.title, '${datasource}']);
    }
  });

  it('uses $job and $instance in every query, and names only metrics the exporter exports', () => {
    const exported = exportedMetricNames();
    for (const p of dashboard.panels) {
      for (const t of p.targets ?? []) {
        expect([p.title, t.expr]).toEqual([p.title, expect.stringContaining('job=~"$job",instance=~"$instance"')]);
        expect(t.datasource?.uid).toBe('${datasource}');
        const unknown = metricNames(t.expr).filter((name) => !exported.has(name));
        expect([p.title, unknown]).toEqual([p.title, []]);
      }
    }
  });
});

describe('metricNames', () => {
  it('finds the metrics of an expression and nothing else', () => {
    expect(metricNames('count by (driver) (docker_storage_driver_info{job=~"$job"} == 1) or vector(0)')).toEqual(['docker_storage_driver_info']);
    expect(metricNames('sum(rate(a_total{x="y"}[$__rate_interval])) / on (instance, job) group_left b and c unless d offset 5m > 1e9').sort()).toEqual(['a_total', 'b', 'c', 'd']);
    expect(metricNames('time() - docker_data_root_scan_timestamp_seconds > 7200')).toEqual(['docker_data_root_scan_timestamp_seconds']);
  });
});
