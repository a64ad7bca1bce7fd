import { ExporterSelfMetrics } from '../../../src/metrics/exporterSelf';
import { render, snapshotOf } from '../../helpers/snapshots';

describe('ExporterSelfMetrics', () => {
  it('says its version, each collector that ran, the event stream, the age of /info and what it could not use', async () => {
    const m = await render((registry) => {
      const area = new ExporterSelfMetrics(registry, { version: '9.9.9', processMetrics: false });
      return () => area.update(snapshotOf());
    });
    expect(m.all('docker_exporter_build_info')[0]?.labels['version']).toBe('9.9.9');
    expect(m.all('docker_exporter_collector_success').map((s) => `${s.labels['collector']} ${s.value}`)).toEqual(['info 1', 'ping 0']);
    expect(m.value('docker_exporter_collector_duration_seconds', { collector: 'info' })).toBe(0.002);
    expect(m.value('docker_exporter_event_stream_up')).toBe(1);
    expect(m.value('docker_exporter_info_timestamp_seconds')).toBe(1795671211);
    expect(m.value('docker_exporter_parse_errors_total', { field: 'info.Images' })).toBe(2);
    // No process metrics asked for: none registered.
    expect(m.samples.filter((s) => s.name.startsWith('process_') || s.name.startsWith('nodejs_'))).toEqual([]);
  });
});
