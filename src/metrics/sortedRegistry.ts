import { Registry } from 'prom-client';

/**
 * A registry that exposes metric families sorted by name, as Prometheus' Go
 * client does: the text depends on what is measured, not on the order the
 * code happens to register things in, so a golden file survives refactoring.
 */
export class SortedRegistry extends Registry {
  override getMetricsAsArray(): ReturnType<Registry['getMetricsAsArray']> {
    return super.getMetricsAsArray().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
