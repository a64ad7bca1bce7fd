import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DASHBOARDS, render } from '../../dashboards/generate';
import { DEFAULT_CONFIG, type MixinConfig } from '../../mixin/config';
import { grafanaDashboards } from '../../mixin/dashboards';
import { RECORDING_GROUPS } from '../../mixin/recording';
import { DASHBOARD_OVERRIDE } from '../helpers/mixinOverride';
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
const AGGREGATED = new Set(
  RECORDING_GROUPS.flatMap((g) => g.rules.filter((r) => r.expr.includes('(%(aggregationLabels)s')).map((r) => r.record)),
);
type Dashboard = { uid: string; templating: { list: { name: string; query: unknown; multi: boolean }[] }; panels: Panel[] };

/**
 * The matchers each series of a panel must start with at a configuration: the exporter's own series
 * the selector then one matcher per host variable; series recorded per host the host variables (the
 * recording rules keep the host labels, not the selector's); aggregated ones the aggregation variables.
 */
function wantedMatchers(name: string, selector: string, hostVariables: string, aggregationVariables: string): string {
  if (AGGREGATED.has(name)) return aggregationVariables;
  if (RECORDED.has(name)) return hostVariables;
  return `${selector},${hostVariables}`;
}

/** Every series selector of a dashboard's queries: [panel title, metric name, matchers]. */
function selectors(dashboard: Dashboard): [string, string, string][] {
  return dashboard.panels.flatMap((p) =>
    (p.targets ?? []).flatMap((t) =>
      [...t.expr.matchAll(/([a-zA-Z_:][\w:]*)\{([^}]*)\}/g)].map((m): [string, string, string] => [p.title, m[1] ?? '', m[2] ?? '']),
    ),
  );
}

describe.each(Object.keys(DASHBOARDS))('dashboard %s', (file) => {
  const text = readFileSync(path.join(dir, file), 'utf8');
  const dashboard = JSON.parse(text) as Dashboard;

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

  it('selects the mixin selector, $job and $instance in every series it reads ($job alone for fleet recording rules), and names only exported or recorded series', () => {
    const exported = exportedMetricNames();
    for (const [title, name, matchers] of selectors(dashboard)) {
      const wanted = wantedMatchers(name, 'job="docker"', 'job=~"$job",instance=~"$instance"', 'job=~"$job"');
      expect([title, name, matchers.startsWith(wanted)]).toEqual([title, name, true]);
    }
    for (const p of dashboard.panels) {
      for (const t of p.targets ?? []) {
        expect(t.datasource?.uid).toBe('${datasource}');
        const unknown = metricNames(t.expr).filter((name) => !exported.has(name) && !RECORDED.has(name));
        expect([p.title, unknown]).toEqual([p.title, []]);
      }
    }
  });
});

describe("the dashboards at an overridden _config (as a mixin user's jsonnet overrides it)", () => {
  const config: MixinConfig = { ...DEFAULT_CONFIG, ...DASHBOARD_OVERRIDE };
  const dashboards = grafanaDashboards(config) as unknown as Record<string, Dashboard>;

  it.each(Object.keys(DASHBOARDS))('%s: the selector and the host variables in every series, cluster and node as its variables', (file) => {
    const dashboard = dashboards[file] as Dashboard;
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'cluster', 'node']);
    expect(dashboard.templating.list.slice(1).map((v) => v.query)).toEqual([
      'label_values(docker_up{job="docker-hosts",env="prod"}, cluster)',
      'label_values(docker_up{job="docker-hosts",env="prod",cluster=~"$cluster"}, node)',
    ]);
    const all = selectors(dashboard);
    expect(all.length).toBeGreaterThan(10);
    for (const [title, name, matchers] of all) {
      const wanted = wantedMatchers(name, 'job="docker-hosts",env="prod"', 'cluster=~"$cluster",node=~"$node"', 'cluster=~"$cluster"');
      expect([title, name, matchers.startsWith(wanted)]).toEqual([title, name, true]);
    }
    const text = JSON.stringify(dashboard);
    expect(text).not.toMatch(/\binstance\b|\$job|"job"/);
    expect(text).not.toMatch(/%\(|DATASOURCE/);
    expect((dashboard.templating.list[0] as unknown as { regex: string; current: { value: string } }).regex).toBe('Mimir.*');
    expect((dashboard.templating.list[0] as unknown as { regex: string; current: { value: string } }).current.value).toBe('Mimir');
  });

  it('groups, legends and table columns by the host labels, and colours by its thresholds', () => {
    const fleet = dashboards['docker-fleet.json'] as Dashboard;
    const panel = (title: string) => fleet.panels.find((p) => p.title === title) as Panel & Record<string, unknown>;
    expect(panel('Containers to re-create').targets?.[0]?.expr).toContain('sum by (cluster, node) (docker_containers{');
    expect(panel('Orphaned data: largest hosts').targets?.[0]?.legendFormat).toBe('{{node}}');
    const steps = (p: string) =>
      (panel(p).fieldConfig as { defaults: { thresholds: { steps: { value: number | null }[] } } }).defaults.thresholds.steps;
    expect(steps('Orphaned data: largest hosts').map((s) => s.value)).toEqual([null, 5e9]);
    expect(steps('Thin pool data space used: fullest hosts').map((s) => s.value)).toEqual([null, 0.6, 0.85]);
    expect(steps('Age of the data-root figures: stalest hosts').map((s) => s.value)).toEqual([null, 600]);
    expect(panel('Age of the data-root figures: stalest hosts').description).toContain('orange after 600 seconds');
    const engine = (dashboards['docker-host.json'] as Dashboard).panels.find((p) => p.title === 'Engine') as unknown as {
      transformations: { options: { excludeByName: Record<string, boolean> } }[];
    };
    expect(Object.keys(engine.transformations[0]?.options.excludeByName ?? {}).sort()).toEqual([
      'Time',
      'Value',
      '__name__',
      'cluster',
      'node',
    ]);
  });

  it('at the defaults, is what dashboards/ holds', () => {
    const defaults = grafanaDashboards(DEFAULT_CONFIG);
    for (const file of Object.keys(DASHBOARDS)) {
      expect(defaults[file]).toEqual(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
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
