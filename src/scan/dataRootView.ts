import type { DaemonSnapshot } from '../collector/snapshot';
import { containerdRootToMeasure } from '../docker/containerdRoot';
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
  const root = options.dataRoot ?? info?.dockerRootDir;
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
