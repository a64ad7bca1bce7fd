import { PartialWalk, TreeWalker, WalkTree, WalkUnit } from '../../src/scan/walk';

/**
 * Several walkers in this process, taking turns of `slice` entries, with the
 * work stealing src/scan/runScan.ts does between processes: each idle walker
 * gets what the busy ones donate. The first begins every tree.
 */
export function stealingWalk(trees: WalkTree[], count: number, slice: number): PartialWalk[] {
  const walkers = Array.from({ length: count }, () => new TreeWalker(trees));
  for (const tree of trees.keys()) walkers[0]?.begin(tree);
  for (;;) {
    const idle = walkers.filter((w) => !w.hasWork());
    if (idle.length === walkers.length) return walkers.map((w) => w.result());
    if (idle.length > 0) {
      const spare: WalkUnit[] = walkers.filter((w) => w.hasWork()).flatMap((w) => w.donate());
      for (const [i, walker] of idle.entries()) walker.receive(spare.splice(0, Math.ceil(spare.length / (idle.length - i))));
    }
    for (const walker of walkers) walker.step(slice);
  }
}
