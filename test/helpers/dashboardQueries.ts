import { DASHBOARDS } from '../../dashboards/generate';

/**
 * Every query of the shipped dashboards as Grafana sends it with "All" selected: $job and $instance
 * as any value, $__rate_interval and $__range filled in.
 */
export function dashboardQueries(): { file: string; title: string; expr: string }[] {
  return Object.entries(DASHBOARDS).flatMap(([file, build]) => {
    const dashboard = build() as { panels: { title: string; targets: { expr: string }[] }[] };
    return dashboard.panels.flatMap((p) =>
      p.targets.map((t) => ({
        file,
        title: p.title,
        expr: t.expr
          .replace(/\$job/g, '.+')
          .replace(/\$instance/g, '.+')
          .replace(/\$__rate_interval/g, '1m')
          .replace(/\$__range/g, '1h'),
      })),
    );
  });
}
