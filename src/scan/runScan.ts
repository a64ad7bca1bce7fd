import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DataRootView, scanDataRoot, ScanResult } from './dataRoot';

type Serialized = Omit<ScanResult, 'topLevel' | 'errors'> & { topLevel: [string, number][]; errors: [string, number][] };

export function serializeScan(result: ScanResult): Serialized {
  return { ...result, topLevel: [...result.topLevel], errors: [...result.errors] };
}

function deserialize(data: Serialized): ScanResult {
  return { ...data, topLevel: new Map(data.topLevel), errors: new Map(data.errors) as ScanResult['errors'] };
}

export type ScanRunner = (view: DataRootView) => Promise<ScanResult>;

/**
 * Runs a scan in a worker thread. Under ts-jest there is no compiled worker
 * file; there the scan runs inline, which only unit tests do.
 */
export const runScanInWorker: ScanRunner = (view) => {
  const workerFile = path.join(__dirname, 'worker.js');
  if (__filename.endsWith('.ts')) return Promise.resolve(scanDataRoot(view));
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile, { workerData: view });
    let settled = false;
    worker.once('message', (data: Serialized) => {
      settled = true;
      resolve(deserialize(data));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`scan worker exited with code ${code} before answering`));
    });
  });
};
