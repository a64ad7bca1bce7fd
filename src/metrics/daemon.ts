import type { Exposition } from './exposition';
import type { DaemonSnapshot } from '../collector/snapshot';
import type { UpgradeVerdict } from '../upgrade/verdict';
import { GaugeSet } from './gaugeSet';

/** docker_daemon_*: what the daemon says about itself (its warnings), and whether its daemon.json will be accepted. */
export class DaemonMetrics {
  private readonly fromInfo: GaugeSet;
  private readonly fromVerdict: GaugeSet;
  private readonly warnings;
  private readonly warningInfo;
  private readonly configValid;

  constructor(exposition: Exposition) {
    const info = (this.fromInfo = new GaugeSet(exposition));
    this.warnings = info.gauge('docker_daemon_warnings', 'Number of warnings in GET /info.');
    this.warningInfo = info.gauge('docker_daemon_warning_info', 'One series per daemon warning, folded to one line; always 1.', [
      'warning',
    ]);
    const verdict = (this.fromVerdict = new GaugeSet(exposition));
    this.configValid = verdict.gauge(
      'docker_daemon_config_valid',
      "1 when the daemon's daemon.json will be accepted at its next start (Go's JSON, known directives, no directive both as a flag and in the file), 0 when the daemon will refuse it; absent when it cannot be read, and for Podman.",
    );
  }

  update(snapshot: DaemonSnapshot): void {
    this.fromInfo.reset();
    const info = snapshot.info;
    if (!info) return;
    this.warnings.set({}, info.warnings.length);
    for (const warning of new Set(info.warnings)) this.warningInfo.set({ warning }, 1);
  }

  updateVerdict(verdict: UpgradeVerdict | undefined): void {
    this.fromVerdict.reset();
    if (verdict?.daemonConfigValid !== undefined) this.configValid.set({}, verdict.daemonConfigValid ? 1 : 0);
  }
}
