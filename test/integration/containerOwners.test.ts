import * as path from 'node:path';
import { TestDaemon } from '../helpers/dockerd';
import { TestExporter } from '../helpers/exporter';
import { waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/tempDir';

/**
 * Alerts can only route by what the series carry: with --collector.container-labels, every per-container
 * series carries the container's labels as label_<key>, as docker inspect shows them on a real dockerd.
 */
describe('container labels on the per-container series of a real dockerd (--collector.container-labels)', () => {
  const dir = tempDir('owners');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  const label = async (name: string, key: string) => daemon.docker('inspect', '--format', `{{index .Config.Labels "${key}"}}`, name);

  beforeAll(async () => {
    await daemon.start();
    await daemon.importBusybox();
    await daemon.docker(
      'run',
      '-d',
      '--name',
      'payments-host',
      '--network',
      'host',
      '--label',
      'owner=payments',
      '--label',
      'com.example.team=blue',
      'busybox:test',
      'sleep',
      '100000',
    );
    await daemon
      .docker('run', '--name', 'search-job', '--label', 'owner=search', 'busybox:test', 'sh', '-c', 'exit 4')
      .catch(() => undefined);
    await daemon.docker('run', '-d', '--name', 'unowned', '--network', 'host', 'busybox:test', 'sleep', '100000');
    await exporter.start([
      '--docker.host',
      daemon.host,
      '--docker.pid-file',
      daemon.pidFile,
      '--no-scan',
      '--collector.container-labels=owner,com.example.team',
    ]);
  }, 120000);

  afterAll(async () => {
    await exporter.stop();
    await daemon.destroy();
  });

  it('puts each container label on its host-network, exit-code and restart series, empty where the container has none', async () => {
    await daemon.docker('restart', 'payments-host');
    const m = await waitFor('the restart to be counted', async () => {
      const now = await exporter.scrape();
      return now.value('docker_container_restarts_total', { name: 'payments-host' }) === 1 ? now : undefined;
    });
    expect(m.all('docker_container_host_network_info', { name: 'payments-host' })[0]?.labels).toMatchObject({
      label_owner: await label('payments-host', 'owner'),
      label_com_example_team: await label('payments-host', 'com.example.team'),
    });
    expect(m.all('docker_container_host_network_info', { name: 'unowned' })[0]?.labels).toMatchObject({
      label_owner: '',
      label_com_example_team: '',
    });
    expect(m.all('docker_container_last_exit_code', { name: 'search-job' })[0]).toMatchObject({
      labels: { label_owner: await label('search-job', 'owner'), label_com_example_team: '' },
      value: 4,
    });
    expect(m.all('docker_container_restarts_total', { name: 'payments-host' })[0]?.labels).toMatchObject({ label_owner: 'payments' });
  });
});
