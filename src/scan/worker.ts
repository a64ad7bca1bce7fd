import { parentPort, workerData } from 'node:worker_threads';
import { planScan } from './dataRoot';
import { serializePlan, WorkerTask } from './runScan';
import { walkBuckets } from './walk';

// One piece of a scan off the main thread, so scrapes never wait behind a walk.
const task = workerData as WorkerTask;
if (task.kind === 'plan') parentPort?.postMessage(serializePlan(planScan(task.view)));
else parentPort?.postMessage(walkBuckets(task.root, task.buckets, task.share));
