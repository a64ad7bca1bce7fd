import { availableParallelism } from 'node:os';
import type { Logger } from 'winston';
import type { Config } from '../config/config';
import { INSPECTS_IN_FLIGHT } from '../docker/containerInventory';
import type { EngineApi } from '../docker/engineApi';
import { isObject, JsonObject } from '../parse/problems';
import { isLocalOnly } from '../parse/images';
import { containerListeningPorts } from '../plan/listeningPorts';
import { assemblePlan, planContainer, PlanContainer, PlanImage, planScript, planText } from '../plan/plan';
import { WRITABLE_LAYER, writableLayerOf } from '../scan/dataRoot';
import { mergeWalks, mountPointsBelow, walkBuckets, WalkTree } from '../scan/walk';
import { createTreeWalkRunner, TreeWalkRunner } from '../scan/runScan';
import type { Platform } from '../config/platforms';
import { remediesFor } from '../upgrade/remedies';
import { hostPlatform } from './hostPlatform';
import { errorMessage } from '../util/errors';
import { buildParts } from '../wiring';
import { EXIT } from '../util/exitCodes';
import { mapLimited } from '../util/mapLimited';

const PLAN_EXIT = EXIT.plan;
/** Walker processes for the writable layers: the main thread and the daemon answering the inspects need the other cores. */
const PLAN_WALKERS = Math.max(1, availableParallelism() - 1);

/**
 * `docker-daemon-exporter plan`: what a storage-driver switch costs, container
 * by container, and how to make each one again. It only reads: GET requests,
 * a few containers inspected at a time (with its size only on devicemapper,
 * where the layers are no directories to measure).
 */
export async function runPlan(
  config: Config,
  options: { format: 'text' | 'json' | 'script'; remedies: Platform | 'auto' },
  logger: Logger,
): Promise<number> {
  // plan lists the images itself, with what it needs of each: the collector's image count would ask the daemon twice.
  const { api, collector, dataRootHere } = buildParts({ ...config, collectors: { ...config.collectors, images: false } }, logger, 'once');
  const snapshot = await collector.collect();
  const info = snapshot.info;
  const root = config.dataRoot ?? info?.dockerRootDir;
  if (!snapshot.up || !info?.driver || !root) {
    process.stderr.write(
      `docker-daemon-exporter plan: the daemon does not answer${snapshot.unreachable ? `: ${snapshot.unreachable.message}` : ''}\n`,
    );
    return PLAN_EXIT.unreachable;
  }
  const images = planImages((await api.get('/images/json')).body, info.containerdSnapshotter);
  const host: PlanHost = {
    api,
    logger,
    driver: info.driver,
    root,
    layersHere: dataRootHere,
    defaultLogDriver: info.loggingDriver,
    localOnly: new Map(images.map((i) => [i.id, i.localOnly])),
    imageConfigs: new Map(),
    walkTrees: createTreeWalkRunner(PLAN_WALKERS),
  };
  const listed = snapshot.containers ?? [];
  // The writable layers are walked in walker processes while the daemon answers the inspects (the walks
  // were 0.6 s of the main thread at 1,000 containers with 100 files each).
  const layerBytes = measureLayers(host, listed);
  // Awaited after the inspects: a failure meanwhile is not an unhandled one.
  layerBytes.catch(() => undefined);
  // A few at a time: one at a time waited a round trip per container (2 s of 3.6 at 1,000). One at a time
  // on devicemapper, where an inspect with its size makes the daemon measure the layer.
  const inFlight = info.driver === 'devicemapper' ? 1 : INSPECTS_IN_FLIGHT;
  const inspected = (await mapLimited(listed, inFlight, (summary) => inspectOne(host, summary.id))).filter(
    (c): c is Inspected => c !== undefined,
  );
  const measured = await layerBytes;
  const containers = inspected.map((one) => planContainer({ ...one.input, ...writableLayer(measured, one.id, one.sizeRw) }));
  const plan = assemblePlan(
    { ...(info.serverVersion ? { version: info.serverVersion } : {}), driver: info.driver, data_root: root },
    containers,
    images,
  );
  if (options.format === 'json') process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
  else if (options.format === 'script') {
    const storage = snapshot.storageConfig;
    const configFile = storage?.known ? storage.configFile : undefined;
    const remedies = remediesFor(hostPlatform(options.remedies, configFile), configFile);
    process.stdout.write(planScript(plan, remedies.switchDriver(plan.target_driver), new Date().toISOString()));
  } else process.stdout.write(planText(plan));
  return PLAN_EXIT.done;
}

/** What planning each container reads, and the image configs already asked for. */
interface PlanHost {
  api: EngineApi;
  logger: Logger;
  driver: string;
  root: string;
  /** The writable layers can be measured from this host's files. */
  layersHere: boolean;
  defaultLogDriver: string | undefined;
  localOnly: ReadonlyMap<string, boolean>;
  imageConfigs: Map<string, Promise<JsonObject | undefined>>;
  walkTrees: TreeWalkRunner;
}

/** The images of GET /images/json, each with whether only this host has it. */
function planImages(body: unknown, containerdStore: boolean): PlanImage[] {
  return (Array.isArray(body) ? body.filter(isObject) : []).map((img) => ({
    id: typeof img['Id'] === 'string' ? img['Id'] : '',
    names: (Array.isArray(img['RepoTags']) ? img['RepoTags'] : []).filter(
      (t): t is string => typeof t === 'string' && t !== '<none>:<none>',
    ),
    // Where it cannot be told (the containerd image store), saved as if local: a save too many costs disk, a pull that cannot work loses the image.
    localOnly: isLocalOnly(img, containerdStore) ?? true,
  }));
}

/** What is known of one container before its writable layer is: its inspect, its image's config, its listening ports. */
interface Inspected {
  id: string;
  input: Omit<Parameters<typeof planContainer>[0], 'writableLayerBytes' | 'writableLayerSource'>;
  /** The daemon's SizeRw (devicemapper only). */
  sizeRw: unknown;
}

/** One container: inspected, its image's config, its listening ports when on the host network. */
async function inspectOne(host: PlanHost, id: string): Promise<Inspected | undefined> {
  const { inspect, sized } = await inspectBody(host, id);
  if (!isObject(inspect)) return undefined;
  const imageId = typeof inspect['Image'] === 'string' ? inspect['Image'] : '';
  const imageConfig = await imageConfigOf(host, imageId);
  const state = isObject(inspect['State']) ? inspect['State'] : {};
  const hostMode = isObject(inspect['HostConfig']) && inspect['HostConfig']['NetworkMode'] === 'host';
  return {
    id,
    sizeRw: sized ? inspect['SizeRw'] : undefined,
    input: {
      inspect,
      ...(imageConfig ? { imageConfig } : {}),
      ...(host.defaultLogDriver ? { defaultLogDriver: host.defaultLogDriver } : {}),
      ...(host.localOnly.has(imageId) ? { imageLocalOnly: host.localOnly.get(imageId) } : {}),
      ...(hostMode ? { listeningPorts: containerListeningPorts(typeof state['Pid'] === 'number' ? state['Pid'] : 0) } : {}),
    },
  };
}

/**
 * A container's inspect, with its writable layer's size on devicemapper. There the daemon activates and
 * mounts the container's thin device to measure it, which took longer than the 5 s deadline in a busy
 * guest: that container's layer is then unknown in the plan (said in the log), not the whole plan undone.
 */
async function inspectBody(host: PlanHost, id: string): Promise<{ inspect: unknown; sized: boolean }> {
  if (host.driver !== 'devicemapper') return { inspect: (await host.api.get(`/containers/${id}/json`)).body, sized: false };
  try {
    return { inspect: (await host.api.get(`/containers/${id}/json?size=1`)).body, sized: true };
  } catch (err) {
    host.logger.warn('the daemon did not measure a writable layer in time; its size is unknown in the plan', {
      container: id,
      err: errorMessage(err),
    });
    return { inspect: (await host.api.get(`/containers/${id}/json`)).body, sized: false };
  }
}

/** An image's Config, asked once per image (containers planned at the same time share the one request); without it the re-create command repeats what the image already says. */
function imageConfigOf(host: PlanHost, imageId: string): Promise<JsonObject | undefined> {
  const asked = host.imageConfigs.get(imageId);
  if (asked) return asked;
  const config = host.api.get(`/images/${imageId}/json`).then(
    (res) => (isObject(res.body) && isObject(res.body['Config']) ? res.body['Config'] : undefined),
    (err: unknown) => {
      host.logger.warn('cannot inspect an image; the re-create command repeats what the image already says', {
        image: imageId,
        err: errorMessage(err),
      });
      return undefined;
    },
  );
  host.imageConfigs.set(imageId, config);
  return config;
}

/** Below this many writable layers they are walked in this process: starting walker processes costs more than it saves. */
const LAYERS_FOR_WALKERS = 64;

/**
 * The bytes of every listed container's writable layer that this host can walk (its own directory
 * only: a walk from the data root would cross every other layer for each container), by container id.
 */
async function measureLayers(host: PlanHost, containers: readonly { id: string }[]): Promise<ReadonlyMap<string, number>> {
  if (!WRITABLE_LAYER[host.driver] || !host.layersHere) return new Map();
  const trees: WalkTree[] = [];
  for (const { id } of containers) {
    const layer = writableLayerOf(host.root, host.driver, id);
    if (!layer) continue;
    trees.push({ root: layer, buckets: [{ id, paths: [layer] }] });
  }
  if (trees.length >= LAYERS_FOR_WALKERS) {
    try {
      const walked = await host.walkTrees(trees);
      host.logger.debug('writable layers walked in walker processes', { layers: trees.length, walkers: PLAN_WALKERS, files: walked.files });
      return walked.bytes;
    } catch (err) {
      host.logger.warn('cannot start walker processes; the writable layers are walked in this process', { err: errorMessage(err) });
    }
  }
  // Mount points below the data root, read once for all the walks (each walk reading /proc/self/mountinfo for
  // itself took a quarter of plan's time at 1,000 containers, 40 of them running, each with its mounts).
  const mountPoints = mountPointsBelow(host.root);
  const options = mountPoints ? { mountPoints } : {};
  const walked = mergeWalks(trees.map((tree) => walkBuckets(tree.root, tree.buckets, options)));
  host.logger.debug('writable layers walked in this process', { layers: trees.length, files: walked.files });
  return walked.bytes;
}

/** A container's writable layer: walked in the data root, else the daemon's SizeRw on devicemapper. */
function writableLayer(
  measured: ReadonlyMap<string, number>,
  containerId: string,
  sizeRw: unknown,
): { writableLayerBytes?: number; writableLayerSource: PlanContainer['writableLayerSource'] } {
  const walked = measured.get(containerId);
  if (walked !== undefined) return { writableLayerBytes: walked, writableLayerSource: 'data_root' };
  if (typeof sizeRw === 'number') return { writableLayerBytes: sizeRw, writableLayerSource: 'daemon' };
  return { writableLayerSource: 'unknown' };
}
