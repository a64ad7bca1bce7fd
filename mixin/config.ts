import { THRESHOLDS } from '../src/upgrade/thresholds';

export type Severity = 'critical' | 'warning' | 'info';

/** The mixin's configuration (monitoring-mixins' _config): every rule and panel is written against it. */
export interface MixinConfig {
  /** Label matchers that select the exporter's series, such as job="docker". */
  selector: string;
  /** The labels that tell one host from another in the Prometheus that evaluates the rules (add cluster or site there when it holds several). */
  hostLabels: string;
  /** The labels fleet recording rules keep; a subset of hostLabels. */
  aggregationLabels: string;
  /** The runbook URL of an alert: %s is the anchor of its section. */
  runbookURLPattern: string;
  thresholds: Record<keyof typeof THRESHOLDS, number>;
  /** Severity by alert name, where it differs from the rule's own. */
  severities: Record<string, Severity>;
  /** The data source the dashboards' datasource variable starts on ('default': Grafana's default one). */
  datasourceName: string;
  /** Which data sources the datasource variable offers (a regular expression over their names; '' for all). */
  datasourceFilterRegex: string;
}

export const DEFAULT_CONFIG: MixinConfig = {
  selector: 'job="docker"',
  hostLabels: 'instance, job',
  aggregationLabels: 'job',
  runbookURLPattern: 'https://github.com/docker-daemon-exporter/docker-daemon-exporter/blob/main/docs/runbook.md#%s',
  thresholds: { ...THRESHOLDS },
  severities: {},
  datasourceName: 'default',
  datasourceFilterRegex: '',
};
