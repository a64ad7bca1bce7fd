import type { Logger } from 'winston';
import type { Config } from '../config/config';
import { imageNames } from '../parse/images';
import type { ScanResult } from '../scan/dataRoot';
import type { Platform } from '../config/platforms';
import { remediesFor } from '../upgrade/remedies';
import { dataRootViewOf } from '../scan/dataRootView';
import { hostPlatform } from './hostPlatform';
import { buildReport } from '../upgrade/report';
import { COLOUR, PLAIN, renderReport } from '../upgrade/reportText';
import { errorMessage } from '../util/errors';
import { buildParts } from '../wiring';

export interface CheckOptions {
  format: 'text' | 'json';
  limit: number;
  remedies: Platform | 'auto';
}

/** `docker-daemon-exporter check`: prints the report and returns the exit status. */
export async function runCheck(config: Config, options: CheckOptions, logger: Logger): Promise<number> {
  const { format, limit } = options;
  // check lists the images itself, by name: the collector's image count would ask the daemon twice.
  const { api, collector, runScan, dataRootHere } = buildParts(
    { ...config, collectors: { ...config.collectors, images: false } },
    logger,
    'once',
  );
  const scanned = config.scan && dataRootHere;
  const snapshot = await collector.collect();
  let images: string[] | undefined;
  let scan: ScanResult | undefined;
  if (snapshot.up) {
    images = await api.get('/images/json').then(
      (res) => imageNames(res.body),
      (err: unknown) => {
        logger.warn('cannot list images', { err: errorMessage(err) });
        return undefined;
      },
    );
    const view = dataRootViewOf(snapshot, {
      ...(config.dataRoot ? { dataRoot: config.dataRoot } : {}),
      containerdConfigFile: config.containerdConfigFile,
    });
    if (scanned && view) scan = await runScan(view);
  }
  const storage = snapshot.storageConfig;
  const configFile = storage?.known ? storage.configFile : undefined;
  const remedies = remediesFor(hostPlatform(options.remedies, configFile), configFile);
  const report = buildReport({
    snapshot,
    scan,
    scanSkipped: !scanned,
    images,
    limit,
    remedies,
    targets: config.upgradeTargets,
    dockerHost: config.dockerHost,
  });
  if (format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(renderReport(report, process.stdout.isTTY && !process.env['NO_COLOR'] ? COLOUR : PLAIN));
  return report.exit_code;
}
