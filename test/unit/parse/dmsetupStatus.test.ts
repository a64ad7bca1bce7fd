import { parseThinPoolStatus } from '../../../src/parse/dmsetupStatus';
import { kernelPoolReader } from '../../../src/docker/thinPoolKernel';

// As a Debian 12 guest's kernel printed them for dockerd 20.10's loop-lvm pool.
const TABLE = '0 209715200 thin-pool 7:1 7:0 128 32768 1 skip_block_zeroing';
const STATUS = '0 209715200 thin-pool 1 4244/524288 1043/1638400 - rw discard_passdown queue_if_no_space - 1024';

describe('parseThinPoolStatus', () => {
  it('turns block counts into bytes: data blocks of the table size (128 sectors = 64 KiB), metadata blocks of 4 KiB', () => {
    expect(parseThinPoolStatus(STATUS, TABLE)).toEqual({
      mode: 'rw',
      dataUsedBytes: 1043 * 65536,
      dataTotalBytes: 1638400 * 65536,
      metadataUsedBytes: 4244 * 4096,
      metadataTotalBytes: 524288 * 4096,
      needsCheck: false,
    });
  });

  it('reads the modes and needs_check', () => {
    const full = '0 209715200 thin-pool 9 5000/524288 1638400/1638400 - out_of_data_space discard_passdown queue_if_no_space - 1024';
    expect(parseThinPoolStatus(full, TABLE)).toMatchObject({ mode: 'out_of_data_space', dataUsedBytes: 1638400 * 65536 });
    const ro = '0 209715200 thin-pool 9 5000/524288 100/1638400 - ro discard_passdown error_if_no_space needs_check 1024';
    expect(parseThinPoolStatus(ro, TABLE)).toMatchObject({ mode: 'ro', needsCheck: true });
    expect(parseThinPoolStatus('0 209715200 thin-pool Fail', TABLE)).toEqual({ mode: 'fail', needsCheck: false });
  });

  it('says what is wrong with lines that are not a thin pool', () => {
    expect(parseThinPoolStatus('0 8 linear 7:0 0', TABLE)).toMatch(/not a thin-pool status line/);
    expect(parseThinPoolStatus(STATUS, '0 8 linear 7:0 0')).toMatch(/not a thin-pool table line/);
    expect(parseThinPoolStatus('0 209715200 thin-pool 1 4244 1043/1638400 - rw', TABLE)).toMatch(/unexpected thin-pool status/);
  });
});

describe('kernelPoolReader', () => {
  it('asks dmsetup status and table of the pool, one argument each, and parses them', async () => {
    const asked: string[][] = [];
    const read = kernelPoolReader(1000, (args) => {
      asked.push(args);
      return Promise.resolve(args[0] === 'status' ? STATUS : TABLE);
    });
    expect(await read('docker-254:0-131110-pool')).toMatchObject({ mode: 'rw', dataUsedBytes: 1043 * 65536 });
    expect(asked).toEqual([
      ['status', 'docker-254:0-131110-pool'],
      ['table', 'docker-254:0-131110-pool'],
    ]);
  });

  it('gives the reason when dmsetup cannot read it (not root, no /dev/mapper/control), and refuses odd names without asking', async () => {
    const read = kernelPoolReader(1000, () =>
      Promise.reject(new Error('dmsetup status: /dev/mapper/control: open failed: Permission denied')),
    );
    expect(await read('docker-thinpool')).toEqual({ error: 'dmsetup status: /dev/mapper/control: open failed: Permission denied' });
    let asked = false;
    const careful = kernelPoolReader(1000, () => ((asked = true), Promise.resolve('')));
    expect(await careful('--help')).toEqual({ error: 'not a device-mapper name: "--help"' });
    expect(asked).toBe(false);
  });
});
