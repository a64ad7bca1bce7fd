import type { Severity } from './config';

/** An alert as the mixin writes it, before the configuration is applied. */
export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  severity: Severity;
  summary: string;
  description: string;
  /** The anchor of its section in docs/runbook.md. */
  runbook: string;
}

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface RuleGroup<T> {
  name: string;
  rules: T[];
}
