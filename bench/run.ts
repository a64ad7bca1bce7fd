import { benchDaemonCost } from './daemonCost';
import { benchDaemonScrape } from './daemonScrape';
import { benchFleet } from './fleet';
import { benchFleetBackfill } from './fleetBackfill';
import { benchMemory } from './memory';
import { benchPlan } from './plan';
import { benchPlanDevicemapper } from './planDevicemapper';
import { benchScan } from './scan';
import { benchSeriesBudget } from './seriesBudget';
import { benchSoak } from './soak';

/** Prints figures; asserts nothing about time. */
async function main(): Promise<void> {
  const only = process.argv[2];
  const benches: Record<string, () => Promise<Record<string, string>>> = {
    scrape: benchDaemonScrape,
    memory: benchMemory,
    'daemon-cost': benchDaemonCost,
    plan: benchPlan,
    'plan-devicemapper': benchPlanDevicemapper,
    scan: benchScan,
    fleet: async () => ({ ...(await benchFleetBackfill()), ...(await benchFleet()) }),
    series: benchSeriesBudget,
    soak: benchSoak,
  };
  for (const [name, bench] of Object.entries(benches)) {
    if (only && only !== name) continue;
    const figures = await bench();
    process.stdout.write(`\n## ${name}\n`);
    for (const [key, value] of Object.entries(figures)) process.stdout.write(`${key.padEnd(48)} ${value}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
