import * as path from 'node:path';
import type { DaemonSnapshot } from '../collector/snapshot';
import { containerdRootToMeasure } from '../docker/containerdRoot';
import { REMAPPED_ROOT } from '../parse/info';
import type { DataRootView } from './dataRoot';

/**
 * What a scan needs to know of the daemon, from one collection: undefined
 * while the daemon has not said where its data root is and which driver it
 * runs. `dataRoot` is --docker.data-root (the data root as this process
 * reaches it); `containerdConfigFile` is --containerd.config, read only when
 * the daemon uses an external containerd.
 */
export function dataRootViewOf(
  snapshot: DaemonSnapshot,
  options: { dataRoot?: string; containerdConfigFile?: string } = {},
): DataRootView | undefined {
  const info = snapshot.info;
  const root = options.dataRoot === undefined ? info?.dockerRootDir : withinRemapped(options.dataRoot, info);
  if (root === undefined || root === '' || !info?.driver) return undefined;
  const containerd = options.containerdConfigFile
    ? containerdRootToMeasure(snapshot.storageConfig, options.containerdConfigFile)
    : undefined;
  return {
    root,
    driver: info.driver,
    containerdSnapshotter: info.containerdSnapshotter,
    layout: snapshot.engine === 'podman' ? 'podman' : 'docker',
    ...(info.usernsRemap ? { usernsRemap: true } : {}),
    ...(containerd ? { containerdRoot: containerd.path } : {}),
  };
}

/**
 * --docker.data-root as the operator writes it: for a remapped daemon (--userns-remap) the configured data
 * root, whose `<uid>.<gid>` directory /info names as DockerRootDir, is taken to mean that directory. Taken
 * as it is, the daemon's own data would count as what another setting left.
 */
function withinRemapped(dataRoot: string, info: DaemonSnapshot['info']): string {
  const remappedDir = info?.usernsRemap && info.dockerRootDir ? path.basename(info.dockerRootDir) : undefined;
  if (remappedDir === undefined || !REMAPPED_ROOT.test(remappedDir) || path.basename(dataRoot) === remappedDir) return dataRoot;
  return path.join(dataRoot, remappedDir);
}
