import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_CONFIG } from '../../mixin/config';
import { generatedFiles } from '../../mixin/generate';
import { prometheusProgram, type PrometheusVersion } from '../helpers/monitoring';
import { exportedMetricNames, metricNames } from '../helpers/promql';
import { tempDir } from '../helpers/tempDir';

const alertsDir = path.join(__dirname, '../../alerts');
const rulesFile = path.join(alertsDir, 'docker-daemon-exporter.rules.yml');
const recordingFile = path.join(alertsDir, 'docker-daemon-exporter.recording.yml');
const testFile = path.join(alertsDir, 'docker-daemon-exporter.test.yml');
const runbook = readFileSync(path.join(__dirname, '../../docs/runbook.md'), 'utf8');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: { severity?: string };
  annotations?: { runbook_url?: string };
}

function rules(file: string): Rule[] {
  const doc = parse(readFileSync(file, 'utf8')) as { groups: { rules: Rule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

function promtool(...args: string[]): string {
  return promtoolOf(2, ...args);
}

function promtoolOf(version: PrometheusVersion, ...args: string[]): string {
  try {
    return execFileSync(prometheusProgram('promtool', version), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** Series Prometheus itself makes for every target. */
const SCRAPE_SERIES = new Set(['up']);

describe('the shipped alert and recording rules', () => {
  it('pass promtool check rules', () => {
    expect(promtool('check', 'rules', rulesFile, recordingFile)).toMatch(/SUCCESS: \d+ rules found[\s\S]*SUCCESS: \d+ rules found/);
  });

  it('pass promtool 3.5 check rules and every promtool unit test (Prometheus 3 parses and evaluates them the same)', () => {
    expect(promtoolOf(3, 'check', 'rules', rulesFile, recordingFile)).toMatch(/SUCCESS: \d+ rules found[\s\S]*SUCCESS: \d+ rules found/);
    expect(promtoolOf(3, 'test', 'rules', testFile)).toContain('SUCCESS');
    expect(promtoolOf(3, '--version')).toMatch(/promtool, version 3\./);
  });

  it('pass their promtool unit tests, a firing and a quiet case for every alert, a test for every recording rule', () => {
    expect(promtool('test', 'rules', testFile)).toContain('SUCCESS');
    const text = readFileSync(testFile, 'utf8');
    const tested = new Set([...text.matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    expect(
      rules(rulesFile)
        .map((r) => r.alert)
        .filter((name) => !tested.has(name)),
    ).toEqual([]);
    const queried = new Set([...text.matchAll(/- expr: ([\w:]+)/g)].map((m) => m[1]));
    expect(
      rules(recordingFile)
        .map((r) => r.record)
        .filter((name) => !queried.has(name)),
    ).toEqual([]);
  });

  it('fail those tests when the selector is left out: the fleet case has a host of another job that must not fire', () => {
    const dir = tempDir('dde-rules-');
    const unscoped = generatedFiles({ ...DEFAULT_CONFIG, selector: '' });
    for (const file of ['alerts/docker-daemon-exporter.rules.yml', 'alerts/docker-daemon-exporter.recording.yml']) {
      writeFileSync(path.join(dir, path.basename(file)), unscoped[file] ?? '');
    }
    writeFileSync(path.join(dir, 'docker-daemon-exporter.test.yml'), readFileSync(testFile));
    expect(() => promtool('test', 'rules', path.join(dir, 'docker-daemon-exporter.test.yml'))).toThrow(/instance="g:9326"/);
  });

  it('include the alerts the runbook and dashboards rely on, with a valid severity', () => {
    const names = rules(rulesFile).map((r) => r.alert);
    for (const required of [
      'DockerExporterDown',
      'DockerExporterAbsent',
      'DockerDaemonDown',
      'DockerStorageDriverDeprecated',
      'DockerStorageDriverNotExplicit',
      'DockerDevicemapperLoopLvm',
      'DockerDevicemapperDataSpaceLow',
      'DockerDevicemapperDataSpaceExhausted',
      'DockerDevicemapperLoopFilesystemFull',
      'DockerDevicemapperPoolNotWritable',
      'DockerDevicemapperMetadataSpaceLow',
      'DockerDevicemapperMetadataSpaceExhausted',
      'DockerDataRootOrphanedData',
      'DockerHostNetworkContainers',
      'DockerExporterCollectorFailing',
      'DockerDataRootScanStale',
    ]) {
      expect(names).toContain(required);
    }
    for (const r of rules(rulesFile))
      expect([r.alert, r.labels?.severity]).toEqual([r.alert, expect.stringMatching(/^(critical|warning|info)$/)]);
  });

  it('point each runbook_url at a section of docs/runbook.md named for the alert', () => {
    const headings = new Set([...runbook.matchAll(/^## (\w+)$/gm)].map((m) => (m[1] ?? '').toLowerCase()));
    for (const r of rules(rulesFile)) {
      const anchor = /#([\w-]+)$/.exec(r.annotations?.runbook_url ?? '')?.[1];
      expect([r.alert, anchor]).toEqual([r.alert, r.alert?.toLowerCase()]);
      expect([r.alert, headings.has(anchor ?? '')]).toEqual([r.alert, true]);
    }
  });

  it('read only metrics the exporter exports (and the up series of its targets)', () => {
    const exported = exportedMetricNames();
    for (const r of [...rules(rulesFile), ...rules(recordingFile)]) {
      const name = r.alert ?? r.record;
      expect(r.expr.length).toBeGreaterThan(5);
      expect([name, metricNames(r.expr).filter((n) => !exported.has(n) && !SCRAPE_SERIES.has(n))]).toEqual([name, []]);
    }
  });

  it('select the exporter in every series they read: no expression matches another job', () => {
    for (const r of [...rules(rulesFile), ...rules(recordingFile)]) {
      const unscoped = [...r.expr.matchAll(/\b(docker_\w+|up)\b(?!\{job="docker")/g)].map((m) => m[1]);
      expect([r.alert ?? r.record, unscoped]).toEqual([r.alert ?? r.record, []]);
    }
  });
});
