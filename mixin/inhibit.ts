import type { MixinConfig } from './config';

/** An Alertmanager inhibition rule, as alertmanager.yml has it; `equal` is always the host labels of _config. */
export interface InhibitRule {
  source_matchers: string[];
  target_matchers: string[];
}

/**
 * One page per cause: where one of the shipped alerts explains others of the same host, it inhibits
 * them, so the people paged get the cause and its remedy once. Unrelated alerts of the same host
 * (host networking, OOM kills, a thin pool filling) are never targets of another cause.
 */
export const INHIBIT_RULES: InhibitRule[] = [
  {
    // A daemon that does not answer leaves every other figure of its host stale or missing.
    source_matchers: ['alertname="DockerDaemonDown"'],
    target_matchers: ['alertname=~"Docker.+"', 'alertname!~"DockerDaemonDown|DockerExporter.+"'],
  },
  {
    // Docker 23/24 on an implicit deprecated driver: the missing pin is why the restart fails and the
    // upgrade loses the containers; the pin is the first step, the migration comes with its runbook.
    source_matchers: ['alertname="DockerStorageDriverNotExplicit"'],
    target_matchers: ['alertname=~"DockerRestartFails|DockerUpgradeFails|DockerStorageDriverDeprecated|DockerStorageDriverConfigUnknown"'],
  },
  {
    // A daemon.json the next start refuses: the upgrade fails for the same reason.
    source_matchers: ['alertname="DockerDaemonConfigInvalid"'],
    target_matchers: ['alertname="DockerUpgradeFails"'],
  },
  {
    // The upgrade fails because the driver is removed in that version.
    source_matchers: ['alertname="DockerStorageDriverDeprecated"'],
    target_matchers: ['alertname="DockerUpgradeFails"'],
  },
  {
    // A pool the kernel no longer writes to: its space figures say nothing more.
    source_matchers: ['alertname="DockerDevicemapperPoolNotWritable"'],
    target_matchers: ['alertname=~"DockerDevicemapper(DataSpace|MetadataSpace).+|DockerDevicemapperLoopFilesystemFull"'],
  },
  {
    source_matchers: ['alertname=~"DockerDevicemapperDataSpaceExhausted|DockerDevicemapperLoopFilesystemFull"'],
    target_matchers: ['alertname=~"DockerDevicemapperDataSpaceLow|DockerDevicemapperDataSpaceFillingUp"'],
  },
  {
    source_matchers: ['alertname="DockerDevicemapperMetadataSpaceExhausted"'],
    target_matchers: ['alertname="DockerDevicemapperMetadataSpaceLow"'],
  },
];

/** The rules for alertmanager.yml's inhibit_rules, at `config`'s host labels. */
export function alertmanagerInhibitRules(config: MixinConfig): (InhibitRule & { equal: string[] })[] {
  const equal = config.hostLabels
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return INHIBIT_RULES.map((r) => ({ ...r, equal }));
}
