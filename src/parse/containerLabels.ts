/**
 * Container labels copied onto per-container series (--collector.container-labels), named as
 * kube-state-metrics names Kubernetes labels: `label_` and the key with every character a Prometheus label
 * name cannot hold as `_` (com.example.team -> label_com_example_team).
 */
export function seriesLabelOf(key: string): string {
  return `label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** The wanted keys' values of a container's Labels object; undefined when it has none of them. */
export function pickLabels(raw: unknown, wanted: readonly string[]): Record<string, string> | undefined {
  if (wanted.length === 0 || typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  let picked: Record<string, string> | undefined;
  for (const key of wanted) {
    const value = (raw as Record<string, unknown>)[key];
    if (typeof value === 'string') (picked ??= {})[key] = value;
  }
  return picked;
}

/** The series labels of a container's wanted labels: every wanted one, empty where the container has none (as Prometheus reads a missing label). */
export function seriesLabels(labels: Record<string, string> | undefined, wanted: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of wanted) out[seriesLabelOf(key)] = labels?.[key] ?? '';
  return out;
}

/** Why a list of wanted label keys cannot be used (an empty key, two keys that become one series label), or undefined. */
export function containerLabelsProblem(wanted: readonly string[]): string | undefined {
  const seen = new Map<string, string>();
  for (const key of wanted) {
    if (key === '') return 'an empty label key';
    const label = seriesLabelOf(key);
    const before = seen.get(label);
    if (before !== undefined) return `${JSON.stringify(before)} and ${JSON.stringify(key)} would both be ${label}`;
    seen.set(label, key);
  }
  return undefined;
}
