/**
 * What each Docker Engine major does with storage drivers at start, read from
 * moby's source at its release tag (github.com/moby/moby):
 *
 * - daemon/graphdriver/driver.go `New`: a configured driver is checked by
 *   `checkRemoved` (v24.0.0 on) and then loaded; without one, `scanPriorDrivers`
 *   lists the non-empty directories of the *registered* drivers (vfs left out),
 *   and the first of them in `priority` order is used, unless it `isDeprecated`
 *   (v23.0.0 and v24.0.0: the daemon refuses) or there are several (the daemon
 *   refuses to choose). With no prior directory, the first driver of the
 *   priority list that works is used.
 * - daemon/graphdriver/driver_linux.go: `priority`.
 * - daemon/graphdriver/register/: which drivers are compiled in (registered).
 * - daemon/daemon.go `NewDaemon` (v24.0.0 to v28.5.2): `features` with
 *   `"containerd-snapshotter": true` puts the daemon on the containerd image
 *   store, its snapshotter the configured driver's name or containerd's default
 *   (`overlayfs`); there is no automatic choice and no prior-driver scan. Shown
 *   on real dockerd 26.1.5 and 28.5.2 (test/integration/realEngines.test.ts).
 * - daemon/image_store_choice.go (docker-v29.0.0): without a configured driver
 *   the containerd image store is the default, unless `HasPriorDriver` finds a
 *   prior graph driver's data; a configured driver other than vfs, overlay2 and
 *   btrfs is taken as a containerd snapshotter name (daemon/daemon.go: "configured
 *   driver %q not available" when containerd has no such snapshotter).
 * - daemon/config/config.go `getConflictFreeConfiguration`: v20.10.24 decodes
 *   daemon.json with json.NewDecoder (no byte order mark; text after the first
 *   value is ignored); v23.0.0 on accept a UTF-8 or UTF-16 byte order mark and
 *   use json.Unmarshal (nothing may follow the object). Every version refuses
 *   comments and trailing commas (Go's encoding/json), keys no flag matches, and
 *   keys given as a flag too.
 */
export interface EngineRules {
  major: number;
  /** The tag the rules were read at. */
  tag: string;
  /** Drivers compiled in: only their directories count as prior drivers. */
  registered: readonly string[];
  /** Automatic choice, in order. */
  priority: readonly string[];
  /** A prior (not configured) driver the daemon refuses to start on. */
  refusedPrior: readonly string[];
  /** A configured driver the daemon fails to start with ("has been deprecated and removed"). */
  removed: readonly string[];
  /** `features: {"containerd-snapshotter": true}` selects the containerd image store (v24.0.0 on). */
  snapshotterFeature: boolean;
  /** Without a configured driver and without prior graph-driver data, the containerd image store. */
  containerdByDefault: boolean;
  /**
   * `features: {"containerd-migration": true}` moves a graph-driver daemon (overlay2 or vfs) with no
   * containers to the containerd store, taking its images along while their layers total at most
   * $DOCKER_MIGRATE_SNAPSHOTTER_THRESHOLD bytes (0 when unset): docker-v29.0.0 daemon/daemon.go NewDaemon.
   */
  containerdMigration: boolean;
  /** daemon.json may begin with a byte order mark. */
  acceptsByteOrderMark: boolean;
}

const ALL_LINUX_DRIVERS = ['aufs', 'btrfs', 'devicemapper', 'fuse-overlayfs', 'overlay', 'overlay2', 'vfs', 'zfs'] as const;
const WITHOUT_AUFS_OVERLAY = ['btrfs', 'devicemapper', 'fuse-overlayfs', 'overlay2', 'vfs', 'zfs'] as const;
const CURRENT = ['btrfs', 'fuse-overlayfs', 'overlay2', 'vfs', 'zfs'] as const;
const PRIORITY_25 = ['overlay2', 'fuse-overlayfs', 'btrfs', 'zfs', 'vfs'] as const;

export const ENGINE_RULES: readonly EngineRules[] = [
  {
    major: 20,
    tag: 'v20.10.24',
    registered: ALL_LINUX_DRIVERS,
    priority: ['btrfs', 'zfs', 'overlay2', 'fuse-overlayfs', 'aufs', 'overlay', 'devicemapper', 'vfs'],
    refusedPrior: [],
    removed: [],
    snapshotterFeature: false,
    containerdByDefault: false,
    containerdMigration: false,
    acceptsByteOrderMark: false,
  },
  {
    major: 23,
    tag: 'v23.0.0',
    registered: ALL_LINUX_DRIVERS,
    priority: ['overlay2', 'fuse-overlayfs', 'btrfs', 'zfs', 'aufs', 'overlay', 'devicemapper', 'vfs'],
    refusedPrior: ['aufs', 'devicemapper', 'overlay'],
    removed: [],
    snapshotterFeature: false,
    containerdByDefault: false,
    containerdMigration: false,
    acceptsByteOrderMark: true,
  },
  {
    major: 24,
    tag: 'v24.0.0',
    registered: WITHOUT_AUFS_OVERLAY,
    priority: ['overlay2', 'fuse-overlayfs', 'btrfs', 'zfs', 'devicemapper', 'vfs'],
    refusedPrior: ['devicemapper'],
    removed: ['aufs', 'overlay'],
    snapshotterFeature: true,
    containerdByDefault: false,
    containerdMigration: false,
    acceptsByteOrderMark: true,
  },
  ...[25, 26, 27, 28].map((major) => ({
    major,
    tag: { 25: 'v25.0.0', 26: 'v26.1.0', 27: 'v27.0.1', 28: 'v28.0.0' }[major] as string,
    registered: CURRENT,
    priority: PRIORITY_25,
    refusedPrior: [],
    removed: ['aufs', 'devicemapper', 'overlay'],
    snapshotterFeature: true,
    containerdByDefault: false,
    containerdMigration: false,
    acceptsByteOrderMark: true,
  })),
  {
    major: 29,
    tag: 'docker-v29.0.0',
    registered: CURRENT,
    priority: PRIORITY_25,
    refusedPrior: [],
    removed: ['aufs', 'devicemapper', 'overlay'],
    snapshotterFeature: true,
    containerdByDefault: true,
    containerdMigration: true,
    acceptsByteOrderMark: true,
  },
];

/** The rules of a major version: its own, or those of the nearest version read below it (21 and 22 were never released). */
export function rulesFor(major: number): EngineRules | undefined {
  if (major < 20) return undefined;
  let found: EngineRules | undefined;
  for (const rules of ENGINE_RULES) if (rules.major <= major) found = rules;
  return found;
}

/** The newest major whose rules were read; later ones are not known. */
export const NEWEST_KNOWN_MAJOR = 29;

/** The major version of a ServerVersion such as "20.10.24+dfsg1", "24.0.7", "29.0.1"; undefined when unreadable. */
export function majorOf(serverVersion: string | undefined): number | undefined {
  const match = /^v?(\d+)\./.exec(serverVersion ?? '');
  return match ? Number(match[1]) : undefined;
}
