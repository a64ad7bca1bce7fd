import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { assembleScan, DataRootView, ScanPlan, scanDataRoot, ScanResult } from './dataRoot';
import { Bucket, mergeWalks, PartialWalk, Share } from './walk';

export type WorkerTask = { kind: 'plan'; view: DataRootView } | { kind: 'walk'; root: string; buckets: Bucket[]; share: Share };

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

/**
 * Runs a scan in worker threads: one plans, then one walker per core (at most
 * `maxWalkers`) each takes a share of the layer directories. GNU du walks on
 * one core; stat calls from Node cost more each, so the cores make up for it.
 * Under ts-jest there is no compiled worker file; there the scan runs inline.
 */
export function createScanRunner(maxWalkers = 2): ScanRunner {
  return async (view) => {
    if (__filename.endsWith('.ts')) return scanDataRoot(view);
    const plan = deserializePlan(await inWorker<SerializedPlan>({ kind: 'plan', view }));
    if (!plan.result.complete) return plan.result;
    const count = Math.max(1, Math.min(maxWalkers, availableParallelism()));
    const parts = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        inWorker<PartialWalk>({ kind: 'walk', root: view.root, buckets: plan.buckets, share: { index, count } }),
      ),
    );
    return assembleScan(plan, mergeWalks(parts));
  };
}
