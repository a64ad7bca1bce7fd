import type { DaemonSnapshot } from '../../../src/collector/snapshot';
import { parseInfo } from '../../../src/parse/info';
import { ProblemList } from '../../../src/parse/problems';
import { remediesFor } from '../../../src/upgrade/remedies';
import { buildReport } from '../../../src/upgrade/report';
import { PLAIN, renderReport } from '../../../src/upgrade/reportText';

/** A devicemapper 20.10 host whose /info carries these DriverStatus figures (docker info's text). */
function host(status: Record<string, string>, loopFilesystem?: DaemonSnapshot['loopFilesystem']): DaemonSnapshot {
  const loop = 'Data loop file' in status;
  const info = parseInfo(
    {
      Driver: 'devicemapper',
      ServerVersion: '20.10.24',
      DockerRootDir: '/var/lib/docker',
      DriverStatus: Object.entries({ 'Pool Name': 'docker-254:0-131110-pool', ...status }),
      Warnings: loop ? ['WARNING: devicemapper: usage of loopback devices is strongly discouraged for production use.'] : [],
    },
    new ProblemList(),
  );
  return {
    up: true,
    engine: 'docker',
    info,
    containers: [],
    volumes: 0,
    storageConfig: { known: false, reason: 'not looked at here' },
    eventStreamConnected: true,
    collectors: [],
    parseErrors: new Map(),
    ...(loopFilesystem ? { loopFilesystem } : {}),
  };
}

const thinPoolReasons = (snapshot: DaemonSnapshot) =>
  buildReport({ snapshot, scanSkipped: true, limit: 10, remedies: remediesFor('daemon-json') })
    .verdict.warnings.map((w) => w.reason)
    .filter((r) => r === 'loop_lvm' || r.startsWith('thin_pool'));

// The storage section a real Debian 12 guest's dockerd 20.10 gave for a new loop-lvm pool on an 8 GB root.
const NEW_LOOP_LVM = {
  'Data loop file': '/var/lib/docker/devicemapper/devicemapper/data',
  'Metadata loop file': '/var/lib/docker/devicemapper/devicemapper/metadata',
  'Data Space Used': '68.35MB',
  'Data Space Total': '107.4GB',
  'Data Space Available': '6.895GB',
  'Metadata Space Used': '17.38MB',
  'Metadata Space Total': '2.147GB',
  'Metadata Space Available': '2.13GB',
  'Thin Pool Minimum Free Space': '10.74GB',
};

describe("check's thin-pool findings, as dockerd decides", () => {
  it('a new loop-lvm pool on a small root: loop-lvm only, though "available" is below the minimum free space', () => {
    expect(
      thinPoolReasons(host(NEW_LOOP_LVM, { path: '/var/lib/docker/devicemapper/devicemapper', sizeBytes: 8.2e9, freeBytes: 6.9e9 })),
    ).toEqual(['loop_lvm']);
  });

  it('its filesystem nearly full: loop_filesystem_full, naming the free space, and no refusal', () => {
    const snapshot = host(
      { ...NEW_LOOP_LVM, 'Data Space Available': '150MB' },
      { path: '/var/lib/docker/devicemapper/devicemapper', sizeBytes: 8_200_000_000, freeBytes: 150_000_000 },
    );
    expect(thinPoolReasons(snapshot)).toEqual(['loop_lvm', 'thin_pool_loop_filesystem_full']);
    const text = renderReport(buildReport({ snapshot, scanSkipped: true, limit: 10, remedies: remediesFor('daemon-json') }), PLAIN);
    expect(text).toContain("loop file's filesystem: 150.0 MB free of 8.20 GB (1.8%; /var/lib/docker/devicemapper/devicemapper)");
  });

  it('a statfs that failed says nothing about the filesystem (unknown, not full)', () => {
    expect(thinPoolReasons(host(NEW_LOOP_LVM, { path: '/x', error: 'ENOENT' }))).toEqual(['loop_lvm']);
  });

  it('direct-lvm with total − used below the minimum: exhausted (the daemon refuses) and low', () => {
    expect(
      thinPoolReasons(
        host({
          'Data Space Used': '86GB',
          'Data Space Total': '94.48GB',
          'Data Space Available': '8.48GB',
          'Metadata Space Used': '20MB',
          'Metadata Space Total': '994.1MB',
          'Metadata Space Available': '974.1MB',
          'Thin Pool Minimum Free Space': '9.448GB',
        }),
      ),
    ).toEqual(['thin_pool_data_exhausted', 'thin_pool_data_low']);
  });

  it('direct-lvm whose metadata free share is below the minimum share: metadata exhausted and low', () => {
    expect(
      thinPoolReasons(
        host({
          'Data Space Used': '30GB',
          'Data Space Total': '94.48GB',
          'Data Space Available': '64.48GB',
          'Metadata Space Used': '950MB',
          'Metadata Space Total': '994.1MB',
          'Metadata Space Available': '44.1MB',
          'Thin Pool Minimum Free Space': '9.448GB',
        }),
      ),
    ).toEqual(['thin_pool_metadata_exhausted', 'thin_pool_metadata_low']);
  });
});
