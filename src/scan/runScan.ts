import { ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { assembleScan, DataRootView, ScanPlan, ScanResult, walkTrees } from './dataRoot';
import { mergeWalks, PartialWalk, WalkResult, WalkTree, WalkUnit } from './walk';

/** Messages to a walker process (src/scan/walkerProcess.ts). */
export type ToWalker =
  | { type: 'plan'; view: DataRootView }
  | { type: 'start'; trees: WalkTree[]; begin: number[] }
  | { type: 'units'; units: WalkUnit[] }
  | { type: 'share' }
  | { type: 'finish' };

/** Messages from a walker process. */
export type FromWalker =
  { type: 'plan'; plan: ScanPlan } | { type: 'idle' } | { type: 'spare'; units: WalkUnit[] } | { type: 'done'; walk: PartialWalk };

export type ScanRunner = (view: DataRootView) => Promise<ScanResult>;

/** Walks the given trees in walker processes and adds up their buckets: what `plan` measures of many writable layers. */
export type TreeWalkRunner = (trees: WalkTree[]) => Promise<WalkResult>;

interface Walker {
  child: ChildProcess;
  busy: boolean;
  /** A request for work is on its way to it, or its answer on the way back. */
  asked: boolean;
}

/** What the walkers are asked for, through `coordinate`. */
export interface WalkSession {
  /** The first walker's plan of the data root. */
  plan(view: DataRootView): Promise<ScanPlan>;
  /** A walk of `trees` shared among all walkers until every one is idle; their parts added up. */
  walk(trees: WalkTree[]): Promise<WalkResult>;
}

/**
 * Runs a scan off the main thread: one walker process per core (at most
 * `maxWalkers`). The first plans the scan (a few small files: what each path
 * belongs to) and begins the walk at the data root; every walker that runs
 * out of work asks, through this process, for half of a busy one's. GNU du
 * walks on one core; a stat from Node costs more, so the cores make up for it.
 * The walker is compiled JavaScript beside this file; tests that run
 * TypeScript directly inject a runner of their own.
 */
export function createScanRunner(maxWalkers = 2): ScanRunner {
  return (view) =>
    withWalkers(maxWalkers, async (session) => {
      const plan = await session.plan(view);
      if (!plan.result.complete) return plan.result;
      return assembleScan(plan, await session.walk(walkTrees(view, plan)));
    });
}

/** Walks `trees` with the scan's walkers and their sharing of work, without a plan of the data root. */
export function createTreeWalkRunner(maxWalkers: number): TreeWalkRunner {
  return (trees) => withWalkers(maxWalkers, (session) => session.walk(trees));
}

/** Up to `maxWalkers` walker processes (no more than the cores) for the length of `run`. */
export function withWalkers<T>(maxWalkers: number, run: (session: WalkSession) => Promise<T>): Promise<T> {
  const count = Math.max(1, Math.min(maxWalkers, availableParallelism()));
  const walkers: Walker[] = Array.from({ length: count }, () => ({ child: startWalker(), busy: false, asked: false }));
  return coordinate(walkers, run).finally(() => {
    for (const walker of walkers) walker.child.kill();
  });
}

/**
 * ionice at the idle I/O class, where util-linux's ionice is on PATH: the data-root walk reads only when
 * no container wants the disk. Set before node starts, it holds for every thread node makes; `-t` runs node
 * even where the class cannot be set (a sandbox forbidding ioprio_set).
 */
function idleIo(): readonly string[] | undefined {
  const ionice = (process.env['PATH'] ?? '/usr/bin:/bin')
    .split(':')
    .filter((dir) => dir !== '')
    .map((dir) => path.join(dir, 'ionice'))
    .find((file) => existsSync(file));
  return ionice ? [ionice, '-c', '3', '-t'] : undefined;
}

/** One walker process, yielding to the containers: idle I/O (ionice) and a lower CPU priority (it sets it itself). */
export function startWalker(): ChildProcess {
  // V8's parallel garbage collection threads: two walkers on two cores each had them competing with the
  // other walker, and ran a tenth slower than with one thread each.
  const nodeArgs = ['--single-threaded-gc'];
  const idle = idleIo();
  return fork(path.join(__dirname, 'walkerProcess.js'), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
    ...(idle ? { execPath: idle[0] ?? 'ionice', execArgv: [...idle.slice(1), process.execPath, ...nodeArgs] } : { execArgv: nodeArgs }),
  });
}

/**
 * Where the session is: between requests, waiting for the first walker's plan, or in a walk (its parts
 * collected as the walkers answer the finish). After each answer it is idle again, so a session may plan
 * and walk as often as it likes.
 */
type Phase =
  | { name: 'idle' }
  | { name: 'planning'; answer: (plan: ScanPlan) => void }
  | { name: 'walking'; done: (walk: WalkResult) => void; queue: WalkUnit[] }
  | { name: 'finishing'; done: (walk: WalkResult) => void; walks: Map<Walker, PartialWalk> };

/** Plans with the first walker when asked, shares each walk among all, and adds up their parts. */
function coordinate<T>(walkers: Walker[], run: (session: WalkSession) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let phase: Phase = { name: 'idle' };
    const send = (walker: Walker, message: ToWalker) => walker.child.send(message);

    /** Nothing queued, nobody busy, and every spare answer arrives before its sender's idle: the walk is done. */
    const finishIfDone = (queue: readonly WalkUnit[]): boolean => {
      if (phase.name !== 'walking' || queue.length > 0 || walkers.some((w) => w.busy)) return false;
      phase = { name: 'finishing', done: phase.done, walks: new Map() };
      for (const walker of walkers) send(walker, { type: 'finish' });
      return true;
    };
    /** The queued units, shared out among the idle walkers. */
    const handOut = (queue: WalkUnit[]) => {
      const idle = walkers.filter((w) => !w.busy);
      for (const [i, walker] of idle.entries()) {
        if (queue.length === 0) break;
        walker.busy = true;
        send(walker, { type: 'units', units: queue.splice(0, Math.ceil(queue.length / (idle.length - i))) });
      }
    };
    /** While a walker is idle, every busy one not yet asked is asked to share. */
    const askToShare = () => {
      if (walkers.every((w) => w.busy)) return;
      for (const walker of walkers) {
        if (walker.busy && !walker.asked) {
          walker.asked = true;
          send(walker, { type: 'share' });
        }
      }
    };
    const feedIdle = () => {
      if (phase.name !== 'walking') return;
      const { queue } = phase;
      if (finishIfDone(queue)) return;
      handOut(queue);
      askToShare();
    };

    const onMessage = (walker: Walker, message: FromWalker) => {
      switch (message.type) {
        case 'plan':
          if (phase.name === 'planning') {
            const { answer } = phase;
            phase = { name: 'idle' };
            answer(message.plan);
          }
          return;
        case 'idle':
          walker.busy = false;
          feedIdle();
          return;
        case 'spare':
          walker.asked = false;
          // A late answer to a request for work may come after the finish was sent: its units are empty then.
          if (phase.name === 'walking') phase.queue.push(...message.units);
          feedIdle();
          return;
        case 'done':
          if (phase.name !== 'finishing') return;
          phase.walks.set(walker, message.walk);
          if (phase.walks.size === walkers.length) {
            const { done, walks } = phase;
            phase = { name: 'idle' };
            done(mergeWalks([...walks.values()]));
          }
          return;
      }
    };

    for (const walker of walkers) {
      walker.child.on('message', (message) => onMessage(walker, message as FromWalker));
      walker.child.once('error', reject);
      // Once the session has ended its walkers are killed: a rejection then changes nothing.
      walker.child.once('exit', (code, signal) => reject(new Error(`scan walker exited (${signal ?? code}) before answering`)));
    }
    run({
      plan: (view) =>
        new Promise<ScanPlan>((answer) => {
          phase = { name: 'planning', answer };
          send(walkers[0] as Walker, { type: 'plan', view });
        }),
      walk: (trees) =>
        new Promise<WalkResult>((done) => {
          phase = { name: 'walking', done, queue: [] };
          // Each walker begins its share of the trees (the data root, and an external containerd's root; or the layers).
          for (const [i, walker] of walkers.entries()) {
            const begin = trees.map((_, tree) => tree).filter((tree) => tree % walkers.length === i);
            walker.busy = true;
            walker.asked = false;
            send(walker, { type: 'start', trees, begin });
          }
        }),
    }).then(resolve, reject);
  });
}
