import { assembleScan, DataRootView, planScan, ScanResult, walkContainerdRoot } from '../../src/scan/dataRoot';
import { mergeWalks, walkBuckets } from '../../src/scan/walk';

/** The data-root scan in this process, one walk: what the walker processes of src/scan/runScan.ts do together. */
export function scanDataRoot(view: DataRootView): ScanResult {
  const plan = planScan(view);
  if (!plan.result.complete) return plan.result;
  return assembleScan(
    plan,
    mergeWalks([walkBuckets(view.root, plan.buckets), ...(view.containerdRoot ? [walkContainerdRoot(view.containerdRoot)] : [])]),
  );
}
