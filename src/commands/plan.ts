import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from 'winston';
import type { Config } from '../config/config';
import { isObject, JsonObject } from '../parse/problems';
import { isLocalOnly } from '../parse/images';
import { containerListeningPorts } from '../plan/listeningPorts';
import { assemblePlan, planContainer, PlanContainer, PlanImage, planScript, planText } from '../plan/plan';
import { WRITABLE_LAYER } from '../scan/dataRoot';
import { mergeWalks, walkBuckets } from '../scan/walk';
import type { Platform } from '../config/platforms';
import { remediesFor } from '../upgrade/remedies';
import { hostPlatform } from './hostPlatform';
import { errorMessage } from '../util/errors';
import { buildParts } from '../wiring';
import { EXIT } from '../util/exitCodes';

const PLAN_EXIT = EXIT.plan;

function mountId(root: string, driver: string, containerId: string): string | undefined {
  try {
    return readFileSync(path.join(root, 'image', driver, 'layerdb', 'mounts', containerId, 'mount-id'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * `docker-daemon-exporter plan`: what a storage-driver switch costs, container
 * by container, and how to make each one again. It only reads: GET requests,
 * one container inspected at a time (with its size only on devicemapper, where
 * the layers are no directories to measure).
 */
export async function runPlan(
  config: Config,
  options: { format: 'text' | 'json' | 'script'; remedies: Platform | 'auto' },
  logger: Logger,
): Promise<number> {
  const { format } = options;
  const { api, collector, remote } = buildParts(config, logger, 'once');
  const snapshot = await collector.collect();
  const info = snapshot.info;
  const root = config.dataRoot ?? info?.dockerRootDir;
  if (!snapshot.up || !info?.driver || !root) {
    process.stderr.write(
      `docker-daemon-exporter plan: the daemon does not answer${snapshot.unreachable ? `: ${snapshot.unreachable.message}` : ''}\n`,
    );
    return PLAN_EXIT.unreachable;
  }
  const driver = info.driver;
  const imagesBody = (await api.get('/images/json')).body;
  const images: PlanImage[] = (Array.isArray(imagesBody) ? imagesBody.filter(isObject) : []).map((img) => ({
    id: typeof img['Id'] === 'string' ? img['Id'] : '',
    names: (Array.isArray(img['RepoTags']) ? img['RepoTags'] : []).filter(
      (t): t is string => typeof t === 'string' && t !== '<none>:<none>',
    ),
    // Where it cannot be told (the containerd image store), saved as if local: a save too many costs disk, a pull that cannot work loses the image.
    localOnly: isLocalOnly(img, info.containerdSnapshotter) ?? true,
  }));
  const localOnly = new Map(images.map((i) => [i.id, i.localOnly]));
  const imageConfigs = new Map<string, JsonObject | undefined>();
  const measure = WRITABLE_LAYER[driver];
  const containers: PlanContainer[] = [];
  for (const summary of snapshot.containers ?? []) {
    // One at a time: inspecting with its size makes the daemon measure the layer.
    const sized = driver === 'devicemapper';
    const inspect = (await api.get(sized ? `/containers/${summary.id}/json?size=1` : `/containers/${summary.id}/json`)).body;
    if (!isObject(inspect)) continue;
    const imageId = typeof inspect['Image'] === 'string' ? inspect['Image'] : '';
    if (!imageConfigs.has(imageId)) {
      const image = await api.get(`/images/${imageId}/json`).then(
        (res) => (isObject(res.body) && isObject(res.body['Config']) ? res.body['Config'] : undefined),
        (err: unknown) => {
          logger.warn('cannot inspect an image; the re-create command repeats what the image already says', {
            image: imageId,
            err: errorMessage(err),
          });
          return undefined;
        },
      );
      imageConfigs.set(imageId, image);
    }
    let writableLayerBytes: number | undefined;
    let writableLayerSource: PlanContainer['writableLayerSource'] = 'unknown';
    // A remote daemon's layers are on its host (unless --docker.data-root says where they are mounted here).
    const id = remote && config.dataRoot === undefined ? undefined : mountId(root, driver, summary.id);
    if (measure && id) {
      // The layer's own directory only: a walk from the data root would cross every other layer for each container.
      const layer = measure(root, id);
      writableLayerBytes = mergeWalks([walkBuckets(layer, [{ id: 'w', paths: [layer] }])]).bytes.get('w') ?? 0;
      writableLayerSource = 'data_root';
    } else if (sized && typeof inspect['SizeRw'] === 'number') {
      writableLayerBytes = inspect['SizeRw'];
      writableLayerSource = 'daemon';
    }
    const state = isObject(inspect['State']) ? inspect['State'] : {};
    const hostMode = isObject(inspect['HostConfig']) && inspect['HostConfig']['NetworkMode'] === 'host';
    const imageConfig = imageConfigs.get(imageId);
    containers.push(
      planContainer({
        inspect,
        ...(imageConfig ? { imageConfig } : {}),
        ...(info.loggingDriver ? { defaultLogDriver: info.loggingDriver } : {}),
        ...(writableLayerBytes !== undefined ? { writableLayerBytes } : {}),
        writableLayerSource,
        ...(localOnly.has(imageId) ? { imageLocalOnly: localOnly.get(imageId) } : {}),
        ...(hostMode ? { listeningPorts: containerListeningPorts(typeof state['Pid'] === 'number' ? state['Pid'] : 0) } : {}),
      }),
    );
  }
  const plan = assemblePlan(
    { ...(info.serverVersion ? { version: info.serverVersion } : {}), driver, data_root: root },
    containers,
    images,
  );
  if (format === 'json') process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
  else if (format === 'script') {
    const storage = snapshot.storageConfig;
    const remedies = remediesFor(hostPlatform(options.remedies), storage?.known ? storage.configFile : undefined);
    process.stdout.write(planScript(plan, remedies.switchDriver(plan.target_driver), new Date().toISOString()));
  } else process.stdout.write(planText(plan));
  return PLAN_EXIT.done;
}
