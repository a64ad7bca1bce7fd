import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseInfo } from '../../../src/parse/info';
import { ProblemList } from '../../../src/parse/problems';

const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/devicemapper', name), 'utf8'));

describe('devicemapper DriverStatus', () => {
  it('reads every thin pool figure of a loop-lvm 17.03 host (sizes with a space)', () => {
    const problems = new ProblemList();
    const info = parseInfo(fixture('loop-lvm-17.03.json'), problems);
    expect(problems.items).toEqual([]);
    expect(info.driver).toBe('devicemapper');
    expect(info.backingFilesystem).toBe('xfs');
    expect(info.thinPool).toEqual({
      poolName: 'docker-8:17-20972999-pool',
      dataFile: '/dev/loop0',
      metadataFile: '/dev/loop1',
      dataLoopFile: '/media/data/linux/docker/devicemapper/devicemapper/data',
      metadataLoopFile: '/media/data/linux/docker/devicemapper/devicemapper/metadata',
      libraryVersion: '1.02.138 (2017-03-28)',
      poolBlocksizeBytes: 65_540,
      baseDeviceSizeBytes: 10_740_000_000,
      dataSpaceUsedBytes: 11_160_000_000,
      dataSpaceTotalBytes: 107_400_000_000,
      dataSpaceAvailableBytes: 96_220_000_000,
      // Total − used of the rounded figures: what dockerd compares with the minimum free space.
      dataSpaceFreeBytes: 96_240_000_000,
      metadataSpaceUsedBytes: 8_757_000,
      metadataSpaceTotalBytes: 2_147_000_000,
      metadataSpaceAvailableBytes: 2_139_000_000,
      metadataSpaceFreeBytes: 2_138_243_000,
      minimumFreeSpaceBytes: 10_740_000_000,
      udevSyncSupported: true,
      deferredRemovalEnabled: false,
      deferredDeletionEnabled: false,
      deferredDeletedDevices: 0,
      loopLvm: true,
    });
  });

  it('reads a direct-lvm 18.06 host (post-17.11 key order, sizes without a space, no loop files)', () => {
    const problems = new ProblemList();
    const info = parseInfo(fixture('direct-lvm-18.06.json'), problems);
    expect(problems.items).toEqual([]);
    expect(info.thinPool).toEqual({
      poolName: 'docker-thinpool',
      libraryVersion: '1.02.149-RHEL7 (2018-07-20)',
      poolBlocksizeBytes: 524_300,
      baseDeviceSizeBytes: 10_740_000_000,
      dataSpaceUsedBytes: 6_162_000_000,
      dataSpaceTotalBytes: 94_480_000_000,
      dataSpaceAvailableBytes: 88_310_000_000,
      dataSpaceFreeBytes: 88_318_000_000,
      metadataSpaceUsedBytes: 860_200,
      metadataSpaceTotalBytes: 994_100_000,
      metadataSpaceAvailableBytes: 993_200_000,
      metadataSpaceFreeBytes: 993_239_800,
      minimumFreeSpaceBytes: 9_448_000_000,
      udevSyncSupported: true,
      deferredRemovalEnabled: true,
      deferredDeletionEnabled: true,
      deferredDeletedDevices: 0,
      loopLvm: false,
    });
  });

  it('agrees with the docker info text the same host printed, line by line', () => {
    // The .txt files are what `docker info` showed; every size there must be a figure we export.
    for (const name of ['loop-lvm-17.03', 'direct-lvm-18.06']) {
      const text = readFileSync(path.join(__dirname, '../../fixtures/devicemapper', `${name}.txt`), 'utf8');
      const pool = parseInfo(fixture(`${name}.json`), new ProblemList()).thinPool;
      const used = /Data Space Used: ([\d.]+) ?GB/.exec(text);
      expect(pool?.dataSpaceUsedBytes).toBe(Math.round(Number(used?.[1]) * 1e9));
    }
  });

  it('leaves out and counts a size it cannot read, and keeps the rest', () => {
    const problems = new ProblemList();
    const info = parseInfo(
      {
        Driver: 'devicemapper',
        DriverStatus: [
          ['Data Space Used', 'lots'],
          ['Data Space Total', '10 GB'],
          ['Udev Sync Supported', 'maybe'],
          ['Deferred Deleted Device Count', '-3'],
          ['Data file', ''],
          'garbage',
        ],
      },
      problems,
    );
    expect(info.thinPool).toEqual({ dataSpaceTotalBytes: 10_000_000_000, loopLvm: false });
    expect(problems.items.map((p) => p.field).sort()).toEqual([
      'DriverStatus',
      'DriverStatus.Data Space Used',
      'DriverStatus.Deferred Deleted Device Count',
      'DriverStatus.Udev Sync Supported',
    ]);
  });

  it('has no thin pool for other drivers, and reads overlay2 d_type and the containerd snapshotter', () => {
    const overlay = parseInfo(
      {
        Driver: 'overlay2',
        DriverStatus: [
          ['Backing Filesystem', 'extfs'],
          ['Supports d_type', 'true'],
        ],
      },
      new ProblemList(),
    );
    expect(overlay.thinPool).toBeUndefined();
    expect(overlay.dTypeSupported).toBe(true);
    expect(overlay.backingFilesystem).toBe('extfs');
    const snapshotter = parseInfo(
      { Driver: 'overlayfs', DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']] },
      new ProblemList(),
    );
    expect(snapshotter.containerdSnapshotter).toBe(true);
    expect(snapshotter.backingFilesystem).toBeUndefined();
  });
});

describe('parseInfo', () => {
  it('folds multi-line warnings into one line each', () => {
    const info = parseInfo(
      {
        Warnings: [
          '\nWARNING: The devicemapper storage-driver is deprecated, and will be removed in a future release.\n         Refer to the documentation for more information: https://docs.docker.com/go/storage-driver/',
          'WARNING: devicemapper: usage of loopback devices is strongly discouraged for production use.\n         Use `--storage-opt dm.thinpooldev` to specify a custom block storage device.',
          '   ',
        ],
      },
      new ProblemList(),
    );
    expect(info.warnings).toEqual([
      'WARNING: The devicemapper storage-driver is deprecated, and will be removed in a future release. Refer to the documentation for more information: https://docs.docker.com/go/storage-driver/',
      'WARNING: devicemapper: usage of loopback devices is strongly discouraged for production use. Use `--storage-opt dm.thinpooldev` to specify a custom block storage device.',
    ]);
  });

  it('treats a daemon without a Warnings field (before API 1.39) as having none', () => {
    const problems = new ProblemList();
    expect(parseInfo({ ServerVersion: '17.03.1-ce' }, problems).warnings).toEqual([]);
    expect(problems.items).toEqual([]);
  });

  it('counts fields of the wrong type instead of using them', () => {
    const problems = new ProblemList();
    const info = parseInfo({ ServerVersion: 25, Images: -1, Containers: '3', Warnings: 'x' }, problems);
    expect(info.serverVersion).toBeUndefined();
    expect(info.images).toBeUndefined();
    expect(problems.items.map((p) => p.field).sort()).toEqual(['info.Containers', 'info.Images', 'info.ServerVersion', 'info.Warnings']);
  });

  it('survives an answer that is not an object', () => {
    const problems = new ProblemList();
    expect(parseInfo([1, 2], problems).warnings).toEqual([]);
    expect(problems.items).toHaveLength(1);
  });
});
