import { DASHBOARDS } from '../../dashboards/generate';

/**
 * Every query of the shipped dashboards as Grafana sends it with "All" selected: $job and $instance
 * as any value, $__rate_interval and $__range filled in (`range`: the dashboard's time range); whether
 * Grafana asks it as a range query.
 */
export function dashboardQueries(range = '1h'): { file: string; title: string; refId: string; expr: string; range: boolean }[] {
  return Object.entries(DASHBOARDS).flatMap(([file, build]) => {
    const dashboard = build() as { panels: { title: string; targets: { refId: string; expr: string; range: boolean }[] }[] };
    return dashboard.panels.flatMap((p) =>
      p.targets.map((t) => ({
        file,
        title: p.title,
        refId: t.refId,
        expr: t.expr
          .replace(/\$job/g, '.+')
          .replace(/\$instance/g, '.+')
          .replace(/\$__rate_interval/g, '1m')
          .replace(/\$__range/g, range),
        range: t.range,
      })),
    );
  });
}
