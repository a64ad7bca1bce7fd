import type { Exposition } from './exposition';
import type { DaemonSnapshot } from '../collector/snapshot';
import { GaugeSet } from './gaugeSet';

/** Whether the daemon answers, what engine it is, and what it holds: images, volumes. */
export class EngineMetrics {
  private readonly set: GaugeSet;
  private readonly up;
  private readonly downReason;
  private readonly engineInfo;
  private readonly images;
  private readonly volumes;

  constructor(exposition: Exposition) {
    const set = (this.set = new GaugeSet(exposition));
    this.up = set.gauge(
      'docker_up',
      '1 when the Docker daemon answered GET /_ping in the last collection (at most --docker.min-interval before this scrape), else 0.',
    );
    this.downReason = set.gauge(
      'docker_down_reason',
      'Why the daemon did not answer, while docker_up is 0; always 1. reason: missing, permission, refused (the socket), timeout, tls, ssh, http, invalid_json, too_large, unreachable, or not_woken: not connected, because that would start a stopped socket-activated daemon (--docker.wake-socket-activated).',
      ['reason'],
    );
    this.engineInfo = set.gauge(
      'docker_engine_info',
      'The engine, from GET /info, and which it is (engine: docker or podman, from GET /version); always 1.',
      ['engine', 'version', 'api_version', 'os', 'operating_system', 'kernel_version', 'architecture', 'data_root'],
    );
    this.images = set.gauge('docker_images', 'Images the daemon holds (Images in GET /info).');
    this.volumes = set.gauge('docker_volumes', 'Volumes the daemon knows (GET /volumes); volumes survive a storage driver change.');
  }

  update(snapshot: DaemonSnapshot): void {
    this.set.reset();
    this.up.set({}, snapshot.up ? 1 : 0);
    if (!snapshot.up && snapshot.unreachable) this.downReason.set({ reason: snapshot.unreachable.kind }, 1);
    if (snapshot.volumes !== undefined) this.volumes.set({}, snapshot.volumes);
    const info = snapshot.info;
    if (!info) return;
    this.engineInfo.set(
      {
        engine: snapshot.engine,
        version: info.serverVersion ?? '',
        api_version: snapshot.apiVersion ?? '',
        os: info.osType ?? '',
        operating_system: info.operatingSystem ?? '',
        kernel_version: info.kernelVersion ?? '',
        architecture: info.architecture ?? '',
        data_root: info.dockerRootDir ?? '',
      },
      1,
    );
    if (info.images !== undefined) this.images.set({}, info.images);
  }
}
