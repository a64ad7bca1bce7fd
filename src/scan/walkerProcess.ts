import type { WalkTask } from './runScan';
import { walkBuckets } from './walk';

// A walker in a process of its own: it may change its working directory, which
// lets it stat entries by bare name (see walkBuckets); a worker thread cannot.
process.once('message', (task: WalkTask) => {
  const result = walkBuckets(task.root, task.buckets, task.share, { changeDirectory: true });
  process.send?.(result, () => process.exit(0));
});
