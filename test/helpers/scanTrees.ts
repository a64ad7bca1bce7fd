import { closeSync, existsSync, ftruncateSync, linkSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';

/** The tree shapes a data root takes, each a test of how a walk splits its work. */
export type TreeShape = 'layers' | 'deep' | 'flat' | 'hardlinks';

export const TREE_SHAPES: Readonly<Record<TreeShape, string>> = {
  layers: 'layer-shaped (overlay2: one directory per layer, a tenth hardlinks into the layer before)',
  deep: 'one deep directory (vfs: every layer under one directory, nested 6 deep)',
  flat: 'one flat directory',
  hardlinks: 'many hardlinks (every file linked into 10 layers)',
};

const hex = (n: number) => n.toString(16).padStart(64, '0');
const payload = Buffer.alloc(300, 1);

/**
 * Builds a data root of about `files` entries in `shape` under `root`, once:
 * a `.complete` marker keeps it for the next run (benchmarks build 200,000).
 */
export function buildTree(root: string, shape: TreeShape, files: number): void {
  if (existsSync(path.join(root, '.complete'))) return;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  if (shape === 'layers') layers(root, files);
  else if (shape === 'deep') deep(root, files);
  else if (shape === 'flat') flat(root, files);
  else hardlinks(root, files);
  writeFileSync(path.join(root, '.complete'), '');
}

/** overlay2-like layers of 1,000 small files in 10 directories, a tenth hardlinks into the layer before, and a sparse loop file. */
function layers(root: string, files: number): void {
  const perLayer = Math.min(1000, files);
  const count = Math.max(1, Math.round(files / perLayer));
  for (let layer = 0; layer < count; layer++) {
    const base = path.join(root, 'overlay2', hex(layer), 'diff');
    for (let d = 0; d < 10; d++) mkdirSync(path.join(base, `d${d}`), { recursive: true });
    for (let f = 0; f < perLayer; f++) {
      const file = path.join(base, `d${f % 10}`, `f${f}`);
      if (layer > 0 && f % 10 === 0) linkSync(path.join(root, 'overlay2', hex(layer - 1), 'diff', `d${f % 10}`, `f${f}`), file);
      else writeFileSync(file, payload);
    }
  }
  mkdirSync(path.join(root, 'devicemapper/devicemapper'), { recursive: true });
  const fd = openSync(path.join(root, 'devicemapper/devicemapper/data'), 'w');
  ftruncateSync(fd, 100 * 1024 ** 3);
  writeSync(fd, Buffer.alloc(1024 * 1024, 2), 0, 1024 * 1024, 4096);
  closeSync(fd);
}

/** One layer directory holding a tree 6 deep, 4 directories wide at each level, the files in its leaves. */
function deep(root: string, files: number): void {
  const leaves: string[] = [];
  const grow = (dir: string, depth: number) => {
    if (depth === 6) {
      leaves.push(dir);
      return;
    }
    for (let i = 0; i < 4; i++) grow(path.join(dir, `n${i}`), depth + 1);
  };
  grow(path.join(root, 'vfs', 'dir', hex(1)), 0);
  const perLeaf = Math.max(1, Math.ceil(files / leaves.length));
  for (const leaf of leaves) {
    mkdirSync(leaf, { recursive: true });
    for (let f = 0; f < perLeaf; f++) writeFileSync(path.join(leaf, `f${f}`), payload);
  }
}

/** One directory with every file in it (a build cache, a mail spool, a layer's node_modules/.cache). */
function flat(root: string, files: number): void {
  const dir = path.join(root, 'vfs', 'dir', hex(1));
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f < files; f++) writeFileSync(path.join(dir, `f${f}`), f % 100 === 0 ? payload : '');
}

/** A tenth of the files written once, each linked into 10 layers: what image layers sharing files look like to du. */
function hardlinks(root: string, files: number): void {
  const originals = Math.max(1, Math.round(files / 10));
  const layerDir = (layer: number) => path.join(root, 'overlay2', hex(layer), 'diff');
  for (let layer = 0; layer < 10; layer++) {
    for (let d = 0; d < 10; d++) mkdirSync(path.join(layerDir(layer), `d${d}`), { recursive: true });
  }
  for (let f = 0; f < originals; f++) {
    const name = path.join(`d${f % 10}`, `f${f}`);
    writeFileSync(path.join(layerDir(0), name), payload);
    for (let layer = 1; layer < 10; layer++) linkSync(path.join(layerDir(0), name), path.join(layerDir(layer), name));
  }
}
