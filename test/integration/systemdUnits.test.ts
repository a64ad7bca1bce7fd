import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../helpers/exporter';

const dir = path.join(repoRoot(), 'packaging', 'systemd');
const units = readdirSync(dir);

/** The unit files that ship, as systemd itself reads them (offline: nothing is installed or started). */
describe('the systemd units', () => {
  it.each(units)('%s passes systemd-analyze verify without a word', (unit) => {
    const result = spawnSync('systemd-analyze', ['verify', path.join(dir, unit)], { encoding: 'utf8' });
    expect({ status: result.status, output: `${result.stdout}${result.stderr}`.trim() }).toEqual({ status: 0, output: '' });
  });

  it('the service is hardened: exposure at most 3.0 (OK) by systemd-analyze security', () => {
    const text = execFileSync('systemd-analyze', ['security', '--offline=yes', path.join(dir, 'docker-daemon-exporter.service')], {
      encoding: 'utf8',
    });
    const exposure = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(text)?.[1]);
    expect(exposure).toBeLessThanOrEqual(3.0);
  });

  it('grants the capabilities the exporter needs and no more, and no write access but the textfile directory', () => {
    for (const unit of units.filter((u) => u.endsWith('.service'))) {
      const text = readFileSync(path.join(dir, unit), 'utf8');
      expect(text).toMatch(/^CapabilityBoundingSet=CAP_DAC_READ_SEARCH CAP_SYS_PTRACE$/m);
      expect(text).toMatch(/^NoNewPrivileges=yes$/m);
      expect(text).toMatch(/^ProtectSystem=strict$/m);
      expect(text.match(/^ReadWritePaths=.*$/gm) ?? []).toEqual(
        unit.includes('textfile') ? ['ReadWritePaths=/var/lib/node_exporter/textfile'] : [],
      );
    }
  });
});
