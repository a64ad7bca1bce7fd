import { assembleScan, DataRootView, planScan, ScanResult, walkTrees } from '../../src/scan/dataRoot';
import { mergeWalks, TreeWalker } from '../../src/scan/walk';

/** The data-root scan in this process, one walker: what the walker processes of src/scan/runScan.ts do together. */
export function scanDataRoot(view: DataRootView): ScanResult {
  const plan = planScan(view);
  if (!plan.result.complete) return plan.result;
  const trees = walkTrees(view, plan);
  const walker = new TreeWalker(trees);
  for (const tree of trees.keys()) walker.begin(tree);
  while (walker.hasWork()) walker.step(65536);
  return assembleScan(plan, mergeWalks([walker.result()]));
}
