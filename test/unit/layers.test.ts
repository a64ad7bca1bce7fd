import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The folders of src/, lowest first: a module may import from its own folder
 * and from folders below it, never above. wiring.ts builds the parts the
 * commands run; main.ts dispatches the commands.
 */
const LAYERS = [
  'util',
  'parse',
  'config',
  'docker',
  'collector',
  'scan',
  'upgrade',
  'metrics',
  'plan',
  'reclaim',
  'web',
  'wiring.ts',
  'commands',
  'main.ts',
];
const SRC = path.join(__dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** The layer of a file of src/: its top folder, or its own name at the top. */
function layerOf(file: string): number {
  const relative = path.relative(SRC, file);
  // Outside src/ (package.json for the version): below every layer.
  if (relative.startsWith('..')) return -1;
  const top = relative.split(path.sep)[0] ?? '';
  // An import names a module without its .ts.
  const rank = LAYERS.includes(top) ? LAYERS.indexOf(top) : LAYERS.indexOf(`${top}.ts`);
  if (rank === -1) throw new Error(`src/${top} is in no layer: add it to LAYERS`);
  return rank;
}

/** Every relative import of a source text: import … from, export … from, import(), require(). */
export function relativeImports(text: string): string[] {
  return [...text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1] ?? '');
}

describe('layers', () => {
  it('finds the imports of every form', () => {
    expect(
      relativeImports(
        "import { a } from './a';\nexport { b } from '../b';\nconst c = require('./c');\nawait import('../d');\nimport x from 'express';",
      ),
    ).toEqual(['./a', '../b', './c', '../d']);
  });

  it('every folder of src/ only imports from its own layer and the ones below', () => {
    const upward: string[] = [];
    for (const file of sources(SRC)) {
      for (const spec of relativeImports(readFileSync(file, 'utf8'))) {
        const target = path.resolve(path.dirname(file), spec);
        if (layerOf(target) > layerOf(file))
          upward.push(`src/${path.relative(SRC, file)} imports ${spec} (${LAYERS[layerOf(target)]} is above ${LAYERS[layerOf(file)]})`);
      }
    }
    expect(upward).toEqual([]);
  });
});
