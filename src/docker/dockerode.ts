import Module from 'node:module';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import { lazily } from '../util/lazily';

/**
 * dockerode as the exporter loads it: at the first connection, whole, with two
 * of its modules loaded when first called instead of with it, once main has
 * called deferUnusedModules (nothing happens at import). dockerode requires its BuildKit
 * session (gRPC and a protobuf loader, for image builds) and docker-modem its
 * ssh transport (ssh2) as they load: 0.12 s and 0.08 s of every start of a
 * 0.3 s command, for an image build the exporter never asks for and an ssh
 * transport it replaces with its own (sshAgent). Both modules export one
 * function; what stands in for each until then is a function that loads the
 * real module at its first call and hands the call on, so dockerode works as
 * it ships if ever asked to. Where a module is not found where this expects it
 * (another dockerode), it is left to load as usual.
 */
const DEFERRED: readonly { from: string; request: string }[] = [
  { from: 'dockerode', request: './lib/session.js' },
  { from: 'docker-modem', request: './lib/ssh.js' },
];

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** Puts a stand-in for `file` in Node's module cache, unless it is loaded already. */
export function deferModule(file: string): void {
  if (require.cache[file]) return;
  const standIn = new Module(file);
  const real = lazily(() => {
    // The stand-in leaves the cache so that the real module is evaluated, once.
    if (require.cache[file] === standIn) Reflect.deleteProperty(require.cache, file);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the real module, loaded at the stand-in's first call
    return require(file) as AnyFunction;
  });
  standIn.filename = file;
  standIn.loaded = true;
  standIn.exports = function deferred(this: unknown, ...args: unknown[]): unknown {
    return real().apply(this, args);
  };
  require.cache[file] = standIn;
}

/** Where `request` of package `from` is, as dockerode would find it; undefined if not there. */
export function fileOf(from: string, request: string): string | undefined {
  try {
    const main = require.resolve(from, { paths: [path.dirname(require.resolve('dockerode'))] });
    return require.resolve(path.join(path.dirname(main), '..', request));
  } catch {
    return undefined;
  }
}

/**
 * Puts the stand-ins in place: called first thing in main, before anything
 * loads dockerode. Returns the files it deferred.
 */
export function deferUnusedModules(): string[] {
  return DEFERRED.flatMap(({ from, request }) => {
    const file = fileOf(from, request);
    if (file) deferModule(file);
    return file ? [file] : [];
  });
}

/** dockerode's constructor, loaded at the first connection: after main's deferUnusedModules. */
export const dockerode = lazily(
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, which an import cannot be
  () => require('dockerode') as typeof Dockerode,
);
