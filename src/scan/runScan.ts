import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { assembleScan, DataRootView, ScanPlan, ScanResult } from './dataRoot';
import { Bucket, mergeWalks, PartialWalk, Share } from './walk';

export type WalkTask = { view: DataRootView; share: Share };
type WalkAnswer = { plan: SerializedPlan; walk?: PartialWalk; containerd?: PartialWalk };

type SerializedPlan = { result: Omit<ScanResult, 'topLevel' | 'errors'> & { errors: [string, number][] }; buckets: Bucket[] };

export function serializePlan(plan: ScanPlan): SerializedPlan {
  const { topLevel: _unused, errors, ...rest } = plan.result;
  return { result: { ...rest, errors: [...errors] }, buckets: plan.buckets };
}

function deserializePlan(data: SerializedPlan): ScanPlan {
  return {
    result: { ...data.result, topLevel: new Map(), errors: new Map(data.result.errors) as ScanResult['errors'] },
    buckets: data.buckets,
  };
}

export type ScanRunner = (view: DataRootView) => Promise<ScanResult>;

/** A walker process: plans the scan itself, then walks its share. */
function startWalker(): { run(task: WalkTask): Promise<WalkAnswer>; kill(): void } {
  const child = fork(path.join(__dirname, 'walkerProcess.js'), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const answer = new Promise<WalkAnswer>((resolve, reject) => {
    child.once('message', (data) => resolve(data as WalkAnswer));
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`scan walker exited (${signal ?? code}) before answering`)));
  });
  answer.catch(() => undefined);
  return {
    run(task) {
      child.send(task);
      return answer;
    },
    kill() {
      child.kill();
    },
  };
}

/**
 * Runs a scan off the main thread: one walker process per core (at most
 * `maxWalkers`), each planning the scan and then measuring its share of the
 * layer directories. GNU du walks on one core; a stat from Node costs more,
 * so the cores make up for it. The walker is compiled JavaScript beside this
 * file; tests that run TypeScript directly inject a runner of their own.
 */
export function createScanRunner(maxWalkers = 2): ScanRunner {
  return async (view) => {
    const count = Math.max(1, Math.min(maxWalkers, availableParallelism()));
    const walkers = Array.from({ length: count }, startWalker);
    try {
      const answers = await Promise.all(walkers.map((walker, index) => walker.run({ view, share: { index, count } })));
      const plan = deserializePlan((answers[0] as WalkAnswer).plan);
      if (!plan.result.complete) return plan.result;
      return assembleScan(plan, mergeWalks(answers.flatMap((a) => [...(a.walk ? [a.walk] : []), ...(a.containerd ? [a.containerd] : [])])));
    } finally {
      for (const walker of walkers) walker.kill();
    }
  };
}
