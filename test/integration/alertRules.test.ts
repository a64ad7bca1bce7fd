import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { exportedMetricNames, metricNames } from '../helpers/promql';

const rulesFile = path.join(__dirname, '../../alerts/docker-daemon-exporter.rules.yml');
const rulesText = readFileSync(rulesFile, 'utf8');
const runbook = readFileSync(path.join(__dirname, '../../docs/runbook.md'), 'utf8');

function promtool(...args: string[]): string {
  try {
    return execFileSync('promtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** Alerts as the rule file writes them: name, severity, runbook anchor and expression. */
function alerts(): { name: string; severity: string; anchor: string; expr: string }[] {
  const blocks = rulesText.split(/\n\s+- alert: /).slice(1);
  return blocks.map((block) => ({
    name: block.split('\n')[0]?.trim() ?? '',
    severity: /severity: (\w+)/.exec(block)?.[1] ?? '',
    anchor: /runbook_url: \S+#([\w-]+)/.exec(block)?.[1] ?? '',
    expr: /expr: (\|\n(?:\s{10,}.*\n)+|.*)/.exec(block)?.[1]?.replace(/^\|/, '') ?? '',
  }));
}

describe('the shipped alert rules', () => {
  it('pass promtool check rules', () => {
    expect(promtool('check', 'rules', rulesFile)).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('pass their promtool unit tests, a firing and a quiet case for every alert', () => {
    const testFile = path.join(__dirname, '../../alerts/docker-daemon-exporter.test.yml');
    expect(promtool('test', 'rules', testFile)).toContain('SUCCESS');
    const tested = new Set([...readFileSync(testFile, 'utf8').matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    expect(alerts().map((a) => a.name).filter((name) => !tested.has(name))).toEqual([]);
  });

  it('include the alerts the runbook and dashboards rely on, with a valid severity', () => {
    const names = alerts().map((a) => a.name);
    for (const required of [
      'DockerDaemonDown',
      'DockerStorageDriverDeprecated',
      'DockerStorageDriverNotExplicit',
      'DockerDevicemapperLoopLvm',
      'DockerDevicemapperDataSpaceLow',
      'DockerDevicemapperDataSpaceExhausted',
      'DockerDevicemapperMetadataSpaceLow',
      'DockerDevicemapperMetadataSpaceExhausted',
      'DockerDataRootOrphanedData',
      'DockerHostNetworkContainers',
      'DockerExporterCollectorFailing',
      'DockerDataRootScanStale',
    ]) {
      expect(names).toContain(required);
    }
    for (const a of alerts()) expect([a.name, a.severity]).toEqual([a.name, expect.stringMatching(/^(critical|warning|info)$/)]);
  });

  it('point each runbook_url at a section of docs/runbook.md named for the alert', () => {
    const headings = new Set([...runbook.matchAll(/^## (\w+)$/gm)].map((m) => (m[1] ?? '').toLowerCase()));
    for (const a of alerts()) {
      expect([a.name, a.anchor]).toEqual([a.name, a.name.toLowerCase()]);
      expect([a.name, headings.has(a.anchor)]).toEqual([a.name, true]);
    }
  });

  it('read only metrics the exporter exports', () => {
    const exported = exportedMetricNames();
    for (const a of alerts()) {
      expect(a.expr.length).toBeGreaterThan(5);
      expect([a.name, metricNames(a.expr).filter((n) => !exported.has(n))]).toEqual([a.name, []]);
    }
  });
});
