import { getPriority, setPriority } from 'node:os';
import { planScan } from './dataRoot';
import type { ToWalker, FromWalker } from './runScan';
import { TreeWalker } from './walk';

// A walker in a process of its own: it may change its working directory, which
// lets it stat entries by bare name (see TreeWalker); a worker thread cannot.
// It walks in slices of a few milliseconds and lets messages in between: that
// is when an idle walker's request for work reaches it.

/** How long a slice of walking runs before messages are let in. */
const SLICE_MS = 3;
/** Entries looked at between two looks at the clock. */
const ENTRIES_PER_CLOCK = 256;

/** The CPU priority (nice value) this walker takes. */
const WALKER_NICE = 10;

// The walk competes with the containers' own work: this thread walks at a lower CPU priority (its I/O
// class is set by ionice before node starts, see startWalker). A sandbox that forbids it (systemd's
// SystemCallFilter=~@resources) leaves the priority as it is.
try {
  // Only ever lower: an exporter already niced further keeps its own.
  setPriority(Math.max(getPriority(), WALKER_NICE));
} catch {
  // Not allowed here: walk at the exporter's priority.
}

let walker: TreeWalker | undefined;
let running = false;

function send(message: FromWalker): void {
  process.send?.(message);
}

function run(): void {
  running = false;
  if (!walker) return;
  const until = performance.now() + SLICE_MS;
  while (walker.hasWork() && performance.now() < until) walker.step(ENTRIES_PER_CLOCK);
  if (walker.hasWork()) schedule();
  else send({ type: 'idle' });
}

function schedule(): void {
  if (running) return;
  running = true;
  setImmediate(run);
}

// A runner that died cannot end it.
process.once('disconnect', () => process.exit(0));

process.on('message', (message: ToWalker) => {
  switch (message.type) {
    case 'plan':
      send({ type: 'plan', plan: planScan(message.view) });
      return;
    case 'start':
      walker = new TreeWalker(message.trees, { changeDirectory: true });
      for (const tree of message.begin) walker.begin(tree);
      schedule();
      return;
    case 'units':
      walker?.receive(message.units);
      schedule();
      return;
    case 'share':
      send({ type: 'spare', units: walker?.donate() ?? [] });
      return;
    case 'finish':
      // It stays until the runner ends it: exiting here could reach the runner before this message does.
      send({ type: 'done', walk: walker?.result() ?? { buckets: [], errors: [], examples: [], files: 0 } });
      return;
  }
});
