import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_CONFIG, type MixinConfig } from '../../mixin/config';
import { grafanaDashboards } from '../../mixin/dashboards';
import { generatedFiles } from '../../mixin/generate';
import { prometheusAlerts, prometheusRules } from '../../mixin/render';
import { repoRoot } from '../helpers/exporter';
import { DASHBOARD_OVERRIDE } from '../helpers/mixinOverride';
import { tempDir } from '../helpers/tempDir';

const root = repoRoot();

/** Evaluates an expression over the mixin with Debian's jsonnet, as a user's build would. */
function jsonnet(expr: string): unknown {
  const out = execFileSync('jsonnet', ['-J', path.join(root, 'mixin'), '-e', `local mixin = import 'mixin.libsonnet'; ${expr}`], {
    encoding: 'utf8',
    cwd: path.join(root, 'mixin'),
  });
  return JSON.parse(out);
}

type Groups = { groups: { name: string; rules: { expr: string; alert?: string; record?: string }[] }[] };

const exprs = (doc: Groups) => doc.groups.flatMap((g) => g.rules.map((r) => ({ name: r.alert ?? r.record ?? '', expr: r.expr })));

describe('the monitoring mixin', () => {
  it('generates exactly the committed rule files, templates and defaults (run npm run mixin after editing mixin/)', () => {
    for (const [file, text] of Object.entries(generatedFiles())) {
      expect([file, readFileSync(path.join(root, file), 'utf8')]).toEqual([file, text]);
    }
  });

  it('renders in jsonnet the same rules as the committed files at its default _config', () => {
    expect(jsonnet('mixin.prometheusAlerts')).toEqual(
      parse(readFileSync(path.join(root, 'alerts/docker-daemon-exporter.rules.yml'), 'utf8')),
    );
    expect(jsonnet('mixin.prometheusRules')).toEqual(
      parse(readFileSync(path.join(root, 'alerts/docker-daemon-exporter.recording.yml'), 'utf8')),
    );
  });

  it('applies an overridden _config to every expression, runbook URL, severity and threshold, as the generator does', () => {
    const override: Partial<MixinConfig> = {
      selector: 'job="docker-hosts",env="prod"',
      hostLabels: 'cluster, instance, job',
      aggregationLabels: 'cluster, job',
      runbookURLPattern: 'https://wiki.example/docker#%s',
      thresholds: { ...DEFAULT_CONFIG.thresholds, orphanedBytes: 5e10, thinPoolAvailableRatio: 0.15 },
      severities: { DockerHostNetworkContainers: 'warning' },
    };
    const config: MixinConfig = { ...DEFAULT_CONFIG, ...override };
    const alerts = jsonnet(`(mixin + { _config+:: ${JSON.stringify(override)} }).prometheusAlerts`) as Groups;
    const recording = jsonnet(`(mixin + { _config+:: ${JSON.stringify(override)} }).prometheusRules`) as Groups;
    expect(alerts).toEqual(prometheusAlerts(config));
    expect(recording).toEqual(prometheusRules(config));

    for (const { name, expr } of [...exprs(alerts), ...exprs(recording)]) {
      // Every series read carries the new selector; nothing is left of the default one or of a placeholder.
      const unscoped = [...expr.matchAll(/\b(docker_\w+|up)\b(?!\{job="docker-hosts",env="prod")/g)].map((m) => m[1]);
      expect([name, unscoped]).toEqual([name, []]);
      expect([name, /job="docker"|%/.test(expr)]).toEqual([name, false]);
      expect([name, /\bon \(instance, job\)|by \(instance, job\)/.test(expr)]).toEqual([name, false]);
    }
    const byName = new Map(
      alerts.groups.flatMap((g) => g.rules).map((r) => [r.alert, r as unknown as Record<string, Record<string, string>>]),
    );
    expect(byName.get('DockerDataRootOrphanedData')?.['expr']).toContain('> 50000000000');
    expect(byName.get('DockerDevicemapperDataSpaceLow')?.['expr']).toContain('< 0.15');
    expect(byName.get('DockerHostNetworkContainers')?.['labels']).toEqual({ severity: 'warning' });
    for (const r of byName.values()) expect(r['annotations']?.['runbook_url']).toMatch(/^https:\/\/wiki\.example\/docker#docker\w+$/);
  });

  it('renders rules promtool accepts with an overridden selector', () => {
    const config: MixinConfig = {
      ...DEFAULT_CONFIG,
      selector: 'job=~"docker|docker-hosts"',
      hostLabels: 'cluster, instance, job',
      aggregationLabels: 'cluster',
    };
    const files = generatedFiles(config);
    const dir = tempDir('dde-mixin-');
    for (const file of ['alerts/docker-daemon-exporter.rules.yml', 'alerts/docker-daemon-exporter.recording.yml']) {
      writeFileSync(path.join(dir, path.basename(file)), files[file] ?? '');
      const out = execFileSync('promtool', ['check', 'rules', path.join(dir, path.basename(file))], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(out).toMatch(/SUCCESS: \d+ rules found/);
    }
  });

  it('builds as docs/wiring.md shows: rule files from a vendored copy with an overridden _config, accepted by promtool', () => {
    const readme = readFileSync(path.join(root, 'docs/wiring.md'), 'utf8');
    const example = /```jsonnet\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(example).toContain("import 'docker-daemon-exporter/mixin/mixin.libsonnet'");
    const dir = tempDir('dde-mixin-');
    mkdirSync(path.join(dir, 'vendor'));
    symlinkSync(root, path.join(dir, 'vendor', 'docker-daemon-exporter'));
    writeFileSync(path.join(dir, 'docker.jsonnet'), example);
    mkdirSync(path.join(dir, 'rules'));
    execFileSync('jsonnet', ['-J', 'vendor', '-S', '-m', 'rules', 'docker.jsonnet'], { cwd: dir, encoding: 'utf8' });
    const alerts = path.join(dir, 'rules', 'docker-daemon-exporter.rules.yml');
    const recording = path.join(dir, 'rules', 'docker-daemon-exporter.recording.yml');
    expect(execFileSync('promtool', ['check', 'rules', alerts, recording], { encoding: 'utf8' })).toMatch(/SUCCESS[\s\S]*SUCCESS/);
    const rendered = parse(readFileSync(alerts, 'utf8')) as Groups;
    for (const { name, expr } of exprs(rendered))
      expect([name, expr.includes('job="docker-hosts"'), expr.includes('job="docker"')]).toEqual([name, true, false]);
    expect(readFileSync(alerts, 'utf8')).toContain('https://wiki.example/docker-runbook#dockerdaemondown');
    expect(readFileSync(alerts, 'utf8')).toContain('> 50000000000');
    const fleet = JSON.parse(readFileSync(path.join(dir, 'rules', 'docker-fleet.json'), 'utf8')) as {
      templating: { list: { name: string }[] };
      panels: { targets?: { expr: string }[] }[];
    };
    expect(fleet.templating.list.map((v) => v.name)).toEqual(['datasource', 'cluster', 'job', 'instance']);
    const raw = fleet.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).filter((e) => e.includes('docker_containers{'));
    expect(raw.length).toBeGreaterThan(0);
    for (const expr of raw) expect(expr).toContain('{job="docker-hosts",cluster=~"$cluster",job=~"$job",instance=~"$instance"');
  });

  it('renders grafanaDashboards at an overridden _config as the generator does: the host labels and selector in every query and variable', () => {
    const override = DASHBOARD_OVERRIDE;
    const dashboards = jsonnet(`(mixin + { _config+:: ${JSON.stringify(override)} }).grafanaDashboards`) as Record<
      string,
      { templating: { list: { name: string; query: string }[] }; panels: { targets?: { expr: string }[] }[] }
    >;
    expect(dashboards).toEqual(JSON.parse(JSON.stringify(grafanaDashboards({ ...DEFAULT_CONFIG, ...override }))));
    for (const [file, dashboard] of Object.entries(dashboards)) {
      expect([file, dashboard.templating.list.map((v) => v.name)]).toEqual([file, ['datasource', 'cluster', 'node']]);
      for (const v of dashboard.templating.list.slice(1)) expect(v.query).toContain('docker_up{job="docker-hosts",env="prod"');
      const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
      expect(exprs.length).toBeGreaterThan(10);
      for (const expr of exprs) {
        expect([expr, expr.includes('cluster=~"$cluster"')]).toEqual([expr, true]);
        expect([expr, /\binstance\b|\$job|job="docker"/.test(expr)]).toEqual([expr, false]);
      }
    }
  });

  it('exposes the committed dashboards as grafanaDashboards', () => {
    const dashboards = jsonnet('mixin.grafanaDashboards') as Record<string, unknown>;
    expect(Object.keys(dashboards).sort()).toEqual(['docker-fleet.json', 'docker-host.json']);
    for (const [file, dashboard] of Object.entries(dashboards)) {
      expect(dashboard).toEqual(JSON.parse(readFileSync(path.join(root, 'dashboards', file), 'utf8')));
    }
  });
});
