import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { assembleScan, DataRootView, ScanPlan, scanDataRoot, ScanResult } from './dataRoot';
import { Bucket, mergeWalks, PartialWalk, Share } from './walk';

export type WorkerTask = { kind: 'plan'; view: DataRootView };
export type WalkTask = { root: string; buckets: Bucket[]; share: Share };

type SerializedPlan = { result: Omit<ScanResult, 'topLevel' | 'errors'> & { errors: [string, number][] }; buckets: Bucket[] };

export function serializePlan(plan: ScanPlan): SerializedPlan {
  const { topLevel: _unused, errors, ...rest } = plan.result;
  return { result: { ...rest, errors: [...errors] }, buckets: plan.buckets };
}

function deserializePlan(data: SerializedPlan): ScanPlan {
  return { result: { ...data.result, topLevel: new Map(), errors: new Map(data.result.errors) as ScanResult['errors'] }, buckets: data.buckets };
}

export type ScanRunner = (view: DataRootView) => Promise<ScanResult>;

function inWorker<T>(task: WorkerTask): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'worker.js'), { workerData: task });
    let settled = false;
    worker.once('message', (data: T) => {
      settled = true;
      resolve(data);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`scan worker exited with code ${code} before answering`));
    });
  });
}

/** A walker process, started before its task is known: its start-up overlaps the planning. */
function startWalker(): { run(task: WalkTask): Promise<PartialWalk>; kill(): void } {
  const child = fork(path.join(__dirname, 'walkerProcess.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
  const answer = new Promise<PartialWalk>((resolve, reject) => {
    child.once('message', (data) => resolve(data as PartialWalk));
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
 * Runs a scan off the main thread: a worker thread plans, then one walker
 * process per core (at most `maxWalkers`) each takes a share of the layer
 * directories. GNU du walks on one core; a stat from Node costs more, so the
 * cores make up for it. Under ts-jest there is no compiled worker file; there
 * the scan runs inline.
 */
export function createScanRunner(maxWalkers = 2): ScanRunner {
  return async (view) => {
    if (__filename.endsWith('.ts')) return scanDataRoot(view);
    const count = Math.max(1, Math.min(maxWalkers, availableParallelism()));
    const walkers = Array.from({ length: count }, startWalker);
    try {
      const plan = deserializePlan(await inWorker<SerializedPlan>({ kind: 'plan', view }));
      if (!plan.result.complete) return plan.result;
      const parts = await Promise.all(walkers.map((walker, index) => walker.run({ root: view.root, buckets: plan.buckets, share: { index, count } })));
      return assembleScan(plan, mergeWalks(parts));
    } finally {
      for (const walker of walkers) walker.kill();
    }
  };
}
