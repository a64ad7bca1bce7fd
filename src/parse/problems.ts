/**
 * Where parsers report a value they could not use. Parsers never throw on odd
 * input: the value is left out and the problem is counted here, so a daemon
 * answering nonsense shows up in docker_exporter_parse_errors_total rather than
 * as a wrong number.
 */
export interface ParseProblems {
  report(field: string, detail: string): void;
}

/** Collects problems in memory; what tests and one-shot commands use. */
export class ProblemList implements ParseProblems {
  readonly items: { field: string; detail: string }[] = [];
  report(field: string, detail: string): void {
    this.items.push({ field, detail });
  }
}

/**
 * Counts problems by field for the life of the process, whenever they are
 * found (at start, in the background, at a scrape): the totals are what
 * docker_exporter_parse_errors_total reports, so none is lost between scrapes.
 */
export class ProblemTally implements ParseProblems {
  private readonly totals = new Map<string, number>();

  constructor(private readonly onProblem?: (field: string, detail: string) => void) {}

  report(field: string, detail: string): void {
    this.totals.set(field, (this.totals.get(field) ?? 0) + 1);
    this.onProblem?.(field, detail);
  }

  /** The totals so far, by field. */
  counts(): ReadonlyMap<string, number> {
    return new Map(this.totals);
  }
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string field; absent (undefined, null) is quiet, any other type is a problem. */
export function stringField(obj: JsonObject, key: string, problems: ParseProblems, context: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  problems.report(`${context}.${key}`, `expected a string, got ${typeof value}`);
  return undefined;
}

/** A non-negative integer field (counts); absent is quiet, anything else is a problem. */
export function countField(obj: JsonObject, key: string, problems: ParseProblems, context: string): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  problems.report(`${context}.${key}`, `expected a count, got ${(JSON.stringify(value) as string | undefined)?.slice(0, 40) ?? 'nothing'}`);
  return undefined;
}
