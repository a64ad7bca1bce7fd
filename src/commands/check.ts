import type { Logger } from 'winston';
import type { Config } from '../config/config';
import { buildReport } from '../upgrade/report';
import { COLOUR, PLAIN, renderReport } from '../upgrade/reportText';
import type { ScanResult } from '../scan/dataRoot';
import { createScanRunner } from '../scan/runScan';
import { isObject } from '../parse/problems';
import { oneShotCollector } from './oneShot';

/** Image names for the report: repo:tag, or the short id of an untagged image. */
export function imageNames(body: unknown): string[] | undefined {
  if (!Array.isArray(body)) return undefined;
  return body.filter(isObject).map((image) => {
    const tags = Array.isArray(image['RepoTags']) ? image['RepoTags'].filter((t): t is string => typeof t === 'string' && t !== '<none>:<none>') : [];
    const id = typeof image['Id'] === 'string' ? image['Id'].replace(/^sha256:/, '').slice(0, 12) : '?';
    return tags.length > 0 ? tags.join(', ') : id;
  });
}

/** `docker-daemon-exporter check`: prints the report and returns the exit status. */
export async function runCheck(config: Config, format: 'text' | 'json', limit: number, logger: Logger): Promise<number> {
  const { api, collector } = oneShotCollector(config, logger);
  const snapshot = await collector.collect();
  let images: string[] | undefined;
  let scan: ScanResult | undefined;
  if (snapshot.up) {
    images = await api.get('/images/json').then(
      (res) => imageNames(res.body),
      (err: unknown) => {
        logger.warn('cannot list images', { err: err instanceof Error ? err.message : String(err) });
        return undefined;
      },
    );
    const root = config.dataRoot ?? snapshot.info?.dockerRootDir;
    if (config.scan && root && snapshot.info?.driver) {
      scan = await createScanRunner()({ root, driver: snapshot.info.driver, containerdSnapshotter: snapshot.info.containerdSnapshotter });
    }
  }
  const report = buildReport({ snapshot, scan, scanSkipped: !config.scan, images, limit });
  if (format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(renderReport(report, process.stdout.isTTY && !process.env['NO_COLOR'] ? COLOUR : PLAIN));
  return report.exit_code;
}
