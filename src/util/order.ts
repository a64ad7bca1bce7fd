/**
 * Code-point order, not localeCompare: the same on every host and locale, and a
 * tenth of the cost on thousands of names.
 */
export function codePointOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function byName(a: { name: string }, b: { name: string }): number {
  return codePointOrder(a.name, b.name);
}
