// The panels both dashboards share the shape of, and the matchers their queries are written with, in the
// mixin's one placeholder syntax (mixin/placeholders.ts): filled from _config as the rules are.
import type { PanelSpec, Step } from './build';

/** The exporter's own series on the selected hosts: the mixin's selector, then a matcher per host variable. */
export const SEL = '%(selectorAnd)s%(hostMatchers)s';
/** Series recorded per host (they keep the host labels, not necessarily the selector's). */
export const HOST = '%(hostMatchers)s';
/** Series the fleet recording rules aggregate by the aggregation labels: only their variables select. */
export const AGG = '%(aggregationMatchers)s';
/** Per-host fleet panels show the worst hosts, not a thousand bars. */
export const TOP = 20;
export const deprecated = `(docker_storage_driver_deprecated{${SEL}} == 1)`;
// Colours change where the alerts fire: the thresholds are the mixin's _config.thresholds.
export const USED_THRESHOLDS: Step[] = [
  { value: null, color: 'green' },
  { value: { threshold: 'thinPoolFillingUpRatio', used: true }, color: 'orange' },
  { value: { threshold: 'thinPoolAvailableRatio', used: true }, color: 'red' },
];
export const ORPHAN_THRESHOLDS: Step[] = [
  { value: null, color: 'green' },
  { value: { threshold: 'orphanedBytes' }, color: 'orange' },
];
export const SCAN_AGE_THRESHOLDS: Step[] = [
  { value: null, color: 'green' },
  { value: { threshold: 'scanStaleSeconds' }, color: 'orange' },
];
export const RED_FROM_1: Step[] = [
  { value: null, color: 'green' },
  { value: 1, color: 'red' },
];
export const ORANGE_FROM_1: Step[] = [
  { value: null, color: 'green' },
  { value: 1, color: 'orange' },
];
/** A stat counting hosts from a recording rule, 0 rather than "No data" when none is counted. */
export function countStat(title: string, description: string, record: string, thresholds: Step[] | undefined): PanelSpec {
  return {
    title,
    description,
    type: 'stat',
    unit: 'none',
    w: 4,
    h: 4,
    ...(thresholds && thresholds.length ? { thresholds } : {}),
    targets: [{ expr: `sum(${record}{${AGG}}) or vector(0)` }],
  };
}
/** Merges a table's queries into one row per host. */
export const mergeTable = (rename: Record<string, string>, exclude: string[] = []) => [
  { id: 'merge', options: {} },
  { id: 'organize', options: { excludeByName: Object.fromEntries(['Time', ...exclude].map((k) => [k, true])), renameByName: rename } },
];
