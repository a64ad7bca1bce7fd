// Writes the Grafana dashboards in this folder (npm run dashboards): the mixin's dashboards at its
// default configuration (mixin/dashboards.ts). A test keeps the committed files equal to this output
// and to what mixin/mixin.libsonnet renders.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONFIG } from '../mixin/config';
import { dashboardTemplates, renderDashboard } from '../mixin/dashboards';

type Json = Record<string, unknown>;

/** Every dashboard at the mixin's default configuration, by file name. */
export const DASHBOARDS: Record<string, () => Json> = Object.fromEntries(
  Object.entries(dashboardTemplates()).map(([file, template]) => [file, () => renderDashboard(template, DEFAULT_CONFIG)]),
);

export function render(build: () => Json): string {
  return `${JSON.stringify(build(), null, 2)}\n`;
}

if (require.main === module) {
  const dir = path.resolve(__dirname, '../../dashboards');
  for (const [file, build] of Object.entries(DASHBOARDS)) writeFileSync(path.join(dir, file), render(build));
}
