import { parentPort, workerData } from 'node:worker_threads';
import { DataRootView, scanDataRoot } from './dataRoot';
import { serializeScan } from './runScan';

// Runs one scan off the main thread, so scrapes never wait behind a walk.
const result = scanDataRoot(workerData as DataRootView);
parentPort?.postMessage(serializeScan(result));
