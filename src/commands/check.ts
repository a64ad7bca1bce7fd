import type { Logger } from 'winston';
import type { Config } from '../config/config';
import { imageNames } from '../parse/images';
import type { ScanResult } from '../scan/dataRoot';
import { buildReport } from '../upgrade/report';
import { COLOUR, PLAIN, renderReport } from '../upgrade/reportText';
import { errorMessage } from '../util/errors';
import { buildParts } from '../wiring';

/** `docker-daemon-exporter check`: prints the report and returns the exit status. */
export async function runCheck(config: Config, format: 'text' | 'json', limit: number, logger: Logger): Promise<number> {
  const { api, collector, runScan } = buildParts(config, logger, 'once');
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
    const root = config.dataRoot ?? snapshot.info?.dockerRootDir;
    if (config.scan && root && snapshot.info?.driver) {
      scan = await runScan({ root, driver: snapshot.info.driver, containerdSnapshotter: snapshot.info.containerdSnapshotter });
    }
  }
  const report = buildReport({ snapshot, scan, scanSkipped: !config.scan, images, limit });
  if (format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(renderReport(report, process.stdout.isTTY && !process.env['NO_COLOR'] ? COLOUR : PLAIN));
  return report.exit_code;
}
