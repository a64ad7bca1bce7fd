import { Metric, Registry } from 'prom-client';
import { Exposition } from '../../../src/metrics/exposition';
import { SnapshotGauge } from '../../../src/metrics/snapshotGauge';

/** What prom-client's own Registry makes of the same gauges: the text the exporter's must equal byte for byte. */
async function promClientText(gauges: SnapshotGauge[]): Promise<string> {
  const plain = new Registry();
  // Its get() is prom-client's Metric interface: prom-client renders it as it renders its own gauges.
  for (const gauge of [...gauges].sort((a, b) => (a.name < b.name ? -1 : 1))) plain.registerMetric(gauge as unknown as Metric);
  return plain.metrics();
}

describe('SnapshotGauge text', () => {
  it('is what prom-client renders, with backslashes, quotes and newlines in label values and HELP, NaN and infinities', async () => {
    const odd = new SnapshotGauge('docker_odd', 'Help with a \\ backslash\nand a newline.', ['name', 'path']);
    odd.set({ name: 'a "quoted" name', path: 'C:\\data\nroot' }, 1.5);
    odd.set({ name: 'nan', path: '' }, NaN);
    odd.set({ name: 'up', path: '/' }, Infinity);
    odd.set({ name: 'down', path: '/' }, -Infinity);
    const total = new SnapshotGauge('docker_things_total', 'Things.', [], 'counter');
    total.set({}, 12345678901);
    const empty = new SnapshotGauge('docker_empty', 'Nothing set.');
    const ours = new Exposition();
    for (const gauge of [total, odd, empty]) ours.add(gauge);
    expect(await ours.metrics()).toBe(await promClientText([total, odd, empty]));
  });

  it('keeps its text while the samples after a reset are the same, and makes it again when one changes', () => {
    const gauge = new SnapshotGauge('docker_containers', 'Containers.', ['state']);
    gauge.set({ state: 'running' }, 3);
    const first = gauge.text();
    gauge.reset();
    gauge.set({ state: 'running' }, 3);
    expect(gauge.text()).toBe(first);
    gauge.reset();
    gauge.set({ state: 'running' }, 4);
    expect(gauge.text()).toContain('docker_containers{state="running"} 4');
    // Changed in place, without a reset: the kept text must not be served.
    gauge.set({ state: 'exited' }, 1);
    expect(gauge.text()).toContain('docker_containers{state="exited"} 1');
    gauge.inc({ state: 'exited' });
    expect(gauge.text()).toContain('docker_containers{state="exited"} 2');
    gauge.reset();
    expect(gauge.text()).toBe('# HELP docker_containers Containers.\n# TYPE docker_containers gauge');
  });
});
