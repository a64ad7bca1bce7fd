/**
 * A thin pool as the kernel reports it: `dmsetup status` and `dmsetup table` of the pool device
 * (the kernel's Documentation/admin-guide/device-mapper/thin-provisioning.rst). Exact block counts,
 * where `docker info` rounds to four significant digits, and the pool's mode, which the daemon does
 * not report at all.
 *
 *   status: <start> <length> thin-pool <transaction id> <used meta>/<total meta> <used data>/<total data>
 *           <held metadata root> ro|rw|out_of_data_space [no_]discard_passdown error|queue_if_no_space
 *           needs_check|- [metadata_low_watermark]
 *           or "<start> <length> thin-pool Fail" for a pool that failed
 *   table:  <start> <length> thin-pool <metadata dev> <data dev> <data block size (sectors)> <low water mark> …
 * Metadata blocks are 4 KiB; data blocks are the table's block size × 512 bytes.
 */
export type PoolMode = 'rw' | 'ro' | 'out_of_data_space' | 'fail';
export const POOL_MODES: readonly PoolMode[] = ['rw', 'ro', 'out_of_data_space', 'fail'];

export interface KernelThinPool {
  mode: PoolMode;
  /** Absent for a failed pool, which reports nothing else. */
  dataUsedBytes?: number;
  dataTotalBytes?: number;
  metadataUsedBytes?: number;
  metadataTotalBytes?: number;
  /** The pool wants thin_check run before it can be used read-write again. */
  needsCheck: boolean;
}

const METADATA_BLOCK_BYTES = 4096;

/** The two lines, parsed; a message saying what is wrong when either is not what a thin pool prints. */
export function parseThinPoolStatus(statusLine: string, tableLine: string): KernelThinPool | string {
  const status = statusLine.trim().split(/\s+/);
  if (status[2] !== 'thin-pool') return `not a thin-pool status line: ${JSON.stringify(statusLine.slice(0, 80))}`;
  if (status[3] === 'Fail') return { mode: 'fail', needsCheck: false };
  const table = tableLine.trim().split(/\s+/);
  const sectors = table[2] === 'thin-pool' ? wholeNumber(table[5]) : undefined;
  if (sectors === undefined || sectors === 0) return `not a thin-pool table line: ${JSON.stringify(tableLine.slice(0, 80))}`;
  const pair = (text: string | undefined) => {
    const m = /^(\d+)\/(\d+)$/.exec(text ?? '');
    return m ? [Number(m[1]), Number(m[2])] : undefined;
  };
  const metadata = pair(status[4]);
  const data = pair(status[5]);
  const mode = status[7];
  if (!metadata || !data || (mode !== 'rw' && mode !== 'ro' && mode !== 'out_of_data_space')) {
    return `unexpected thin-pool status: ${JSON.stringify(statusLine.slice(0, 120))}`;
  }
  const blockBytes = sectors * 512;
  return {
    mode,
    dataUsedBytes: (data[0] ?? 0) * blockBytes,
    dataTotalBytes: (data[1] ?? 0) * blockBytes,
    metadataUsedBytes: (metadata[0] ?? 0) * METADATA_BLOCK_BYTES,
    metadataTotalBytes: (metadata[1] ?? 0) * METADATA_BLOCK_BYTES,
    needsCheck: status.slice(8).includes('needs_check'),
  };
}

function wholeNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}
