import { parentPort, workerData } from 'node:worker_threads';
import { planScan } from './dataRoot';
import { serializePlan, WorkerTask } from './runScan';

// Plans a scan off the main thread: reading the layer database is many small files.
const task = workerData as WorkerTask;
parentPort?.postMessage(serializePlan(planScan(task.view)));
