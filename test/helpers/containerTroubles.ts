import type { TestDaemon } from './dockerd';

/** A running container whose health check `check` runs every second and counts as failed at the first failure. */
export async function runWithHealthCheck(daemon: TestDaemon, name: string, check: string): Promise<void> {
  await daemon.docker(
    'run',
    '-d',
    '--name',
    name,
    '--health-cmd',
    check,
    '--health-interval',
    '1s',
    '--health-retries',
    '1',
    '--health-start-period',
    '0s',
    'busybox:test',
    'sleep',
    '100000',
  );
}

/**
 * A container the kernel OOM-kills once: 8 MiB of memory and no swap, and dd asks for a 64 MiB buffer.
 * Its shell survives the kill and exits 0, so `docker run` returns.
 */
export async function runOomKilled(daemon: TestDaemon, name: string): Promise<void> {
  await daemon.docker(
    'run',
    '--name',
    name,
    '-m',
    '8m',
    '--memory-swap',
    '8m',
    'busybox:test',
    'sh',
    '-c',
    'dd if=/dev/zero of=/dev/null bs=64M count=1; true',
  );
}
