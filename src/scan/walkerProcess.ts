import { planScan, walkContainerdRoot } from './dataRoot';
import { serializePlan, WalkTask } from './runScan';
import { walkBuckets } from './walk';

// A walker in a process of its own: it may change its working directory, which
// lets it stat entries by bare name (see walkBuckets); a worker thread cannot.
// Each walker plans for itself (a few small files) rather than wait for a
// planner: the plans agree, and the walk starts sooner.
process.once('message', (task: WalkTask) => {
  const plan = planScan(task.view);
  const walk = plan.result.complete ? walkBuckets(task.view.root, plan.buckets, task.share, { changeDirectory: true }) : undefined;
  // The first walker also measures an external containerd's root, which lies outside the data root.
  const containerd =
    plan.result.complete && task.share.index === 0 && task.view.containerdRoot ? walkContainerdRoot(task.view.containerdRoot) : undefined;
  process.send?.({ plan: serializePlan(plan), walk, ...(containerd ? { containerd } : {}) }, () => process.exit(0));
});
