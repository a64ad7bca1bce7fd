import type { EngineError } from '../docker/engineApi';
import type { StorageConfig } from '../docker/storageConfig';
import type { ContainerActivityView } from '../docker/containerActivity';
import type { LoopFilesystem } from '../docker/loopFilesystem';
import type { KernelPoolReading } from '../docker/thinPoolKernel';
import type { ContainerSummary } from '../parse/containers';
import type { EngineInfo } from '../parse/info';
import type { Engine } from '../parse/version';

export type CollectorName = 'ping' | 'info' | 'containers' | 'volumes' | 'images' | 'storage_config';

export interface CollectorStatus {
  collector: CollectorName;
  success: boolean;
  durationSeconds: number;
}

/** Everything one collection learned from the daemon; what metrics, `check` and `textfile` read. */
export interface DaemonSnapshot {
  up: boolean;
  /** Why the daemon did not answer the ping: the kind of failure and its message. */
  unreachable?: { kind: EngineError['kind']; message: string };
  apiVersion?: string;
  /** Images without RepoDigests (built or imported here: lost unless saved), from GET /images/json; refreshed with /info. */
  localOnlyImages?: number;
  /** Docker or Podman, from GET /version; 'unknown' while it has not answered. */
  engine: Engine;
  info?: EngineInfo;
  /** On loop-lvm, the filesystem holding the thin pool's data loop file (statfs at each collection). */
  loopFilesystem?: LoopFilesystem;
  /** On devicemapper, the thin pool as the kernel reports it (dmsetup status), or why it could not be read. */
  kernelPool?: KernelPoolReading;
  /** Unix seconds when `info` was fetched. */
  infoTimestamp?: number;
  containers?: readonly ContainerSummary[];
  /** Restarts and OOM kills since the exporter started; only while it follows the daemon's events (the serving exporter). */
  containerActivity?: ContainerActivityView;
  volumes?: number;
  storageConfig?: StorageConfig;
  eventStreamConnected: boolean;
  collectors: CollectorStatus[];
  /** Values in the daemon's answers that could not be used, by field, since the process started. */
  parseErrors: ReadonlyMap<string, number>;
}
