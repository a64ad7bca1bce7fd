import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TestVm } from '../test/helpers/vm';
import { fmt, median } from './stats';

const CONTAINERS = Number(process.env['BENCH_DM_CONTAINERS'] ?? 100);
const KIB_PER_CONTAINER = 512;

/**
 * `plan` on devicemapper, where it asks each container's size (`?size=true`) and dockerd activates and
 * mounts each container's thin device to measure it: in the Debian 12 guest (qemu, TCG) on loop-lvm with
 * CONTAINERS stopped containers, each with 512 KiB in its writable layer. Against `docker ps -as`
 * (every container's size in one request, what an operator would run). Meanwhile another client pings
 * the daemon every 100 ms: its slowest answer says whether plan starves the daemon's other clients.
 */
export async function benchPlanDevicemapper(): Promise<Record<string, string>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dde-bench-dm-'));
  const vm = new TestVm(dir);
  try {
    await vm.start();
    await vm.startDocker({ 'storage-driver': 'devicemapper' });
    await vm.ssh(
      `for i in $(seq ${CONTAINERS}); do docker run --name c$i busybox:test busybox dd if=/dev/urandom of=/data bs=1k count=${KIB_PER_CONTAINER} 2>/dev/null; done`,
      60 * 60000,
    );
    const seconds = async (command: string) => {
      const out = await vm.ssh(`s=$(date +%s%N); ${command} >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))`, 60 * 60000);
      return Number(out.trim().split('\n').pop()) / 1000;
    };
    const pinging = (command: string) =>
      vm.ssh(
        [
          `(${command} >/dev/null 2>&1; touch /tmp/done) &`,
          'rm -f /tmp/done; max=0; n=0',
          // The daemon's other clients: a ping every 100 ms while the command runs, the slowest kept.
          'while [ ! -e /tmp/done ]; do s=$(date +%s%N); docker version --format . >/dev/null 2>&1; e=$(date +%s%N); d=$(( (e - s) / 1000000 )); [ $d -gt $max ] && max=$d; n=$((n+1)); sleep 0.1; done',
          'echo "$max $n"',
          // Lines, not "; ": the first ends in "&", after which ";" is a syntax error.
        ].join('\n'),
        60 * 60000,
      );
    const plan = [];
    const ps = [];
    for (let run = 0; run < 3; run++) {
      plan.push(await seconds('node /project/dist/src/main.js plan --format json --docker.timeout 120s'));
      ps.push(await seconds('docker ps -as'));
    }
    const [slowest = NaN, pings = NaN] = (await pinging('node /project/dist/src/main.js plan --format json --docker.timeout 120s'))
      .trim()
      .split(' ')
      .map(Number);
    const planMedian = median(plan);
    const psMedian = median(ps);
    return {
      containers: String(CONTAINERS),
      'plan (median of 3, s)': fmt(planMedian),
      'docker ps -as (median of 3, s)': fmt(psMedian),
      'plan / docker ps -as': fmt(planMedian / psMedian),
      'slowest ping answer while plan ran (ms)': String(slowest),
      'pings answered while plan ran': String(pings),
    };
  } finally {
    await vm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
