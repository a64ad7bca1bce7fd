import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DASHBOARDS, render } from '../../dashboards/generate';
import { RECORDING_GROUPS } from '../../mixin/recording';
import { exportedMetricNames, metricNames } from '../helpers/promql';

const dir = path.join(__dirname, '../../dashboards');
type Panel = {
  title: string;
  type: string;
  description?: string;
  datasource?: { uid?: string };
  options?: { textMode?: string };
  fieldConfig?: { defaults?: { unit?: string; mappings?: { options: Record<string, { text: string }> }[] } };
  targets?: { expr: string; legendFormat?: string; datasource?: { uid?: string } }[];
};
/** Series the mixin's recording rules make: aggregated by job, so panels on them filter by $job only. */
const RECORDED = new Set(RECORDING_GROUPS.flatMap((g) => g.rules.map((r) => r.record)));
const AGGREGATED = new Set(RECORDING_GROUPS.flatMap((g) => g.rules.filter((r) => r.expr.includes('(AGG')).map((r) => r.record)));

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

  it('selects $job and $instance in every series it reads ($job alone for fleet recording rules), and names only exported or recorded series', () => {
    const exported = exportedMetricNames();
    for (const p of dashboard.panels) {
      for (const t of p.targets ?? []) {
        for (const m of t.expr.matchAll(/([a-zA-Z_:][\w:]*)\{([^}]*)\}/g)) {
          const [, name = '', matchers = ''] = m;
          const wanted = AGGREGATED.has(name) ? 'job=~"$job"' : 'job=~"$job",instance=~"$instance"';
          expect([p.title, name, matchers.startsWith(wanted)]).toEqual([p.title, name, true]);
        }
        expect(t.datasource?.uid).toBe('${datasource}');
        const unknown = metricNames(t.expr).filter((name) => !exported.has(name) && !RECORDED.has(name));
        expect([p.title, unknown]).toEqual([p.title, []]);
      }
    }
  });
});

describe('the host dashboard', () => {
  const host = JSON.parse(readFileSync(path.join(dir, 'docker-host.json'), 'utf8')) as { panels: Panel[] };
  const panel = (title: string) => host.panels.find((p) => p.title === title);

  it("shows the storage driver by name, as text, not the info metric's value 1", () => {
    const driver = panel('Storage driver');
    expect(driver?.options?.textMode).toBe('name');
    expect(driver?.targets?.[0]?.legendFormat).toContain('{{driver}}');
  });

  it('maps the values of its 0/1 stats to words', () => {
    expect(panel('Daemon up')?.fieldConfig?.defaults?.mappings?.[0]?.options).toMatchObject({ '0': { text: 'down' }, '1': { text: 'up' } });
    expect(panel('Driver explicitly configured')?.fieldConfig?.defaults?.mappings?.[0]?.options).toMatchObject({
      '0': { text: 'not explicit' },
      '1': { text: 'explicit' },
    });
  });
});

describe('the fleet dashboard', () => {
  const fleet = JSON.parse(readFileSync(path.join(dir, 'docker-fleet.json'), 'utf8')) as { panels: Panel[] };

  it('counts hosts from the recording rules, not by aggregating every host at each refresh', () => {
    const stats = fleet.panels.filter((p) => p.type === 'stat' && p.title !== 'Containers to re-create');
    expect(stats.length).toBeGreaterThanOrEqual(5);
    for (const p of stats)
      expect([p.title, metricNames(p.targets?.[0]?.expr ?? '').every((n) => RECORDED.has(n))]).toEqual([p.title, true]);
    const recordedUsed = new Set(
      fleet.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr))).filter((n) => RECORDED.has(n)),
    );
    for (const view of [
      'docker:hosts_by_driver:count',
      'docker:hosts_by_outcome:count',
      'docker:hosts_by_blocker:count',
      'docker:data_root_orphaned_bytes:sum',
      'docker:devicemapper_data_space_available:ratio',
    ]) {
      expect(recordedUsed.has(view)).toBe(true);
    }
  });
});

describe('metricNames', () => {
  it('finds the metrics of an expression and nothing else', () => {
    expect(metricNames('count by (driver) (docker_storage_driver_info{job=~"$job"} == 1) or vector(0)')).toEqual([
      'docker_storage_driver_info',
    ]);
    expect(
      metricNames('sum(rate(a_total{x="y"}[$__rate_interval])) / on (instance, job) group_left b and c unless d offset 5m > 1e9').sort(),
    ).toEqual(['a_total', 'b', 'c', 'd']);
    expect(metricNames('time() - docker_data_root_scan_timestamp_seconds > 7200')).toEqual(['docker_data_root_scan_timestamp_seconds']);
  });
});
