/** Which engine answers the Docker API: Docker, Podman, or not told yet. */
export type Engine = 'docker' | 'podman' | 'unknown';
import { isObject, ParseProblems } from './problems';

/**
 * Which engine answers, from `GET /version`: Podman's Docker-compatible API
 * names "Podman Engine" among its Components; Docker names "Engine". Docker's
 * storage-driver rules do not apply to Podman (its "overlay" is
 * containers/storage's driver, not Docker's removed legacy overlay).
 */
export function engineOf(raw: unknown, problems: ParseProblems): Engine {
  if (!isObject(raw)) {
    problems.report('version', 'the answer is not a JSON object');
    return 'unknown';
  }
  const components = Array.isArray(raw['Components']) ? raw['Components'] : [];
  const names = components.filter(isObject).map((c) => (typeof c['Name'] === 'string' ? c['Name'] : ''));
  if (names.some((name) => /podman/i.test(name))) return 'podman';
  // Docker before 17.06 had no Components; its /version still names its Version.
  if (names.includes('Engine') || (names.length === 0 && typeof raw['Version'] === 'string')) return 'docker';
  problems.report('version.Components', 'no engine named');
  return 'unknown';
}
