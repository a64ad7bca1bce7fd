import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { GOLDEN_DIR, GOLDEN_HOSTS } from './goldenHosts';

/** `npm run golden`: rewrites the golden /metrics files from the hosts as they are now (needs root, like the tests). */
async function main(): Promise<void> {
  for (const host of GOLDEN_HOSTS) {
    const file = path.join(GOLDEN_DIR, `${host.name}.prom`);
    writeFileSync(file, await host.metrics());
    process.stdout.write(`wrote ${file}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
