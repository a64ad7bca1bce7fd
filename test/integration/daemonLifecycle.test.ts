import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TestDaemon } from '../helpers/dockerd';
import { TestExporter } from '../helpers/exporter';
import { sleep, waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/tempDir';

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

/** A real daemon killed, frozen, refused and loaded, with the exporter watching it. */
describe('when the real daemon is killed, frozen or loaded', () => {
  const dir = tempDir('life');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  const TIMEOUT_MS = 2000;

  beforeAll(async () => {
    await daemon.start({ args: ['--storage-driver', 'overlay2'] });
    await daemon.importBusybox();
    await daemon.docker('create', '--name', 'before', 'busybox:test', 'true');
    await exporter.start(['--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile, '--docker.timeout', '2s', '--no-scan']);
  });
  afterAll(async () => {
    await exporter.stop();
    await daemon.stop();
  });

  it('killed with SIGKILL and started again: docker_up goes 0, then 1 by itself, and counts containers made since', async () => {
    expect((await exporter.scrape()).value('docker_up')).toBe(1);
    process.kill(daemon.pid as number, 'SIGKILL');
    await waitFor('docker_up 0', async () => ((await exporter.scrape()).value('docker_up') === 0 ? true : undefined), 10000, 200);
    // The killed daemon's containerd is orphaned; this sandbox's init does not reap it, and a new
    // dockerd would wait for the zombie. Clear it away as a service manager would.
    daemon.clearOrphanedContainerd();
    await daemon.start({ args: ['--storage-driver', 'overlay2'] });
    await daemon.docker('create', '--name', 'after-restart', 'busybox:test', 'true');
    const m = await waitFor(
      'docker_up 1',
      async () => {
        const scraped = await exporter.scrape();
        return scraped.value('docker_up') === 1 ? scraped : undefined;
      },
      20000,
      200,
    );
    const total = m.all('docker_containers').reduce((sum, s) => sum + s.value, 0);
    expect(total).toBe(2);
    expect(exporter.child?.exitCode).toBeNull();
  });

  it('frozen with SIGSTOP: every scrape still answers within the timeout, with docker_up 0; after SIGCONT it recovers', async () => {
    await sleep(1100);
    process.kill(daemon.pid as number, 'SIGSTOP');
    try {
      for (let i = 0; i < 3; i++) {
        await sleep(1100);
        const started = Date.now();
        const m = await exporter.scrape();
        // A frozen daemon never answers: only the deadline can have ended the scrape (a lower bound load cannot break).
        expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
        expect(m.value('docker_up')).toBe(0);
      }
    } finally {
      process.kill(daemon.pid as number, 'SIGCONT');
    }
    await waitFor('docker_up 1', async () => ((await exporter.scrape()).value('docker_up') === 1 ? true : undefined), 20000, 300);
    await exporter.logged(/collector ping failed: GET \/_ping: no complete answer within 2000 ms/);
  });

  it('under 20 concurrent scrapers for a minute: every scrape answers, memory stays put, the daemon sees no more calls than with one', async () => {
    const pid = exporter.child?.pid as number;
    const scrapeLoop = async (until: number, everyMs: number) => {
      let ok = 0;
      let failed = 0;
      while (Date.now() < until) {
        const res = await fetch(`${exporter.url}/metrics`).then(
          (r) => r.text().then(() => r.status),
          () => 0,
        );
        if (res === 200) ok++;
        else failed++;
        await sleep(everyMs);
      }
      return { ok, failed };
    };
    // One scraper, for 10 s: the daemon's calls per second.
    let before = daemon.apiCalls().length;
    let started = Date.now();
    await scrapeLoop(started + 10000, 100);
    const oneRate = (daemon.apiCalls().length - before) / ((Date.now() - started) / 1000);

    // Warm up under the same load first: V8 grows its heap to fit the load once; a leak keeps growing.
    await Promise.all(Array.from({ length: 20 }, () => scrapeLoop(Date.now() + 10000, 100)));
    const rssBefore = rssMiB(pid);
    before = daemon.apiCalls().length;
    started = Date.now();
    const results = await Promise.all(Array.from({ length: 20 }, () => scrapeLoop(started + 60000, 100)));
    const twentyRate = (daemon.apiCalls().length - before) / ((Date.now() - started) / 1000);
    const rssAfter = rssMiB(pid);

    expect(results.reduce((sum, r) => sum + r.failed, 0)).toBe(0);
    expect(results.reduce((sum, r) => sum + r.ok, 0)).toBeGreaterThan(20 * 100);
    expect(twentyRate).toBeLessThanOrEqual(oneRate * 1.25 + 0.2);
    expect(rssAfter - rssBefore).toBeLessThan(15);
    process.stdout.write(
      `daemon calls/s: 1 scraper ${oneRate.toFixed(2)}, 20 scrapers ${twentyRate.toFixed(2)}; RSS ${rssBefore.toFixed(1)} → ${rssAfter.toFixed(1)} MiB\n`,
    );
  }, 180000);
});

describe('when the socket is missing or not readable', () => {
  const dir = tempDir('sock');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  afterAll(() => daemon.stop());

  it('a missing socket: docker_up 0 at every scrape, one log line for many scrapes, no crash', async () => {
    const exporter = new TestExporter(path.join(dir, 'missing.log'));
    await exporter.start(['--docker.host', `unix://${path.join(dir, 'nothing-here.sock')}`, '--docker.min-interval', '0s', '--no-scan']);
    try {
      for (let i = 0; i < 25; i++) expect((await exporter.scrape()).value('docker_up')).toBe(0);
      const lines = (await exporter.logged('collector ping failed')).split('\n').filter((l) => l.includes('collector ping failed'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('ENOENT');
      expect(exporter.child?.exitCode).toBeNull();
    } finally {
      await exporter.stop();
    }
  });

  it("a socket the exporter's user may not open: says EACCES once, docker_up 0", async () => {
    await daemon.start({ args: ['--storage-driver', 'vfs'] });
    const exporter = new TestExporter(path.join(dir, 'eacces.log'));
    await exporter.start(['--docker.host', daemon.host, '--docker.min-interval', '0s', '--no-scan', '--docker.pid-file', daemon.pidFile], {
      uid: 65534,
      gid: 65534,
    });
    try {
      for (let i = 0; i < 10; i++) expect((await exporter.scrape()).value('docker_up')).toBe(0);
      const lines = (await exporter.logged('collector ping failed')).split('\n').filter((l) => l.includes('collector ping failed'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('EACCES');
    } finally {
      await exporter.stop();
    }
  });
});
