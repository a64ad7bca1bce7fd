import { exporterOptions } from '../../helpers/snapshots';
import winston from 'winston';
import { DaemonCollector } from '../../../src/collector/daemonCollector';
import { Exporter, ExporterOptions } from '../../../src/metrics/exporter';
import { FakeEngineApi } from '../../helpers/fakeEngineApi';

/** An exporter over a fake daemon whose pings wait until the test answers them. */
function withHeldPings(options: Partial<ExporterOptions>): { exporter: Exporter; gate: { release?: () => void } } {
  // Set by the fake daemon when a ping arrives: the test decides when it is answered.
  const gate: { release?: () => void } = {};
  const api = new FakeEngineApi()
    .on('/_ping', () => new Promise((resolve) => (gate.release = () => resolve('OK'))))
    .on('/info', { ServerVersion: '24.0.7', Driver: 'overlay2', DriverStatus: [], Warnings: null })
    .on('/version', { Version: '24.0.7' })
    .on('/containers/json', [])
    .on('/volumes', { Volumes: [] })
    .on('/images/json', []);
  const collector = new DaemonCollector({
    api,
    storageConfig: { pidFile: '/nonexistent/docker.pid', daemonConfigFile: '/nonexistent/daemon.json' },
    logger: winston.createLogger({ silent: true }),
    infoMaxAgeMs: 30000,
    timeoutMs: 1000,
    watchEvents: false,
  });
  return { exporter: new Exporter(collector, undefined, exporterOptions(options)), gate };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('Exporter', () => {
  it('renders once for scrapes that share a collection, and again for the next collection', async () => {
    const { exporter, gate } = withHeldPings({ upgradeTargets: [25] });
    const render = jest.spyOn(exporter, 'render');
    const answerPing = async () => {
      while (!gate.release) await tick();
      gate.release();
    };
    const both = Promise.all([exporter.scrape(), exporter.scrape()]);
    await answerPing();
    const [a, b] = await both;
    expect(a).toBe(b);
    expect(a).toContain('docker_up 1');
    expect(render).toHaveBeenCalledTimes(1);
    gate.release = undefined;
    const next = exporter.scrape();
    await answerPing();
    await next;
    expect(render).toHaveBeenCalledTimes(2);
  });

  it("renders the process's own metrics while the daemon answers the ping, each family of the exposition once", async () => {
    const { exporter, gate } = withHeldPings({ processMetrics: true });
    const ahead = jest.spyOn(exporter.exposition, 'processFamilies');
    const scrape = exporter.scrape();
    while (!gate.release || ahead.mock.calls.length === 0) await tick();
    // Rendered while the ping is unanswered.
    expect(ahead).toHaveBeenCalledTimes(1);
    gate.release();
    const text = await scrape;
    const names = exporter.exposition.descriptions().map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'docker_up']));
    for (const name of names) expect(text.split('\n').filter((line) => line.startsWith(`# TYPE ${name} `))).toHaveLength(1);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(text).toContain('docker_up 1');
  });
});
