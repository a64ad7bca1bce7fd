import { DEFAULT_CONFIG, type MixinConfig } from '../../mixin/config';

/**
 * A _config as a mixin user overrides it for the dashboards: other host labels (cluster, node, no
 * instance or job), another selector, thresholds and data source. The TypeScript and jsonnet
 * renderings are both checked at it.
 */
export const DASHBOARD_OVERRIDE: Partial<MixinConfig> = {
  selector: 'job="docker-hosts",env="prod"',
  hostLabels: 'cluster, node',
  aggregationLabels: 'cluster',
  thresholds: { ...DEFAULT_CONFIG.thresholds, orphanedBytes: 5e9, thinPoolAvailableRatio: 0.15, scanStaleSeconds: 600 },
  datasourceName: 'Mimir',
  datasourceFilterRegex: 'Mimir.*',
};
