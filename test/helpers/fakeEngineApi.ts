import {
  EngineApi,
  EngineError,
  EngineListPath,
  EnginePath,
  EngineResponse,
  EngineStream,
  EngineStreamPath,
  StreamHandlers,
} from '../../src/docker/engineApi';

/** An answer, an error, or a promise of either (a daemon that takes its time). */
/** An answer, an EngineError to fail with, or a promise of either (any value: the daemon's JSON). */
export type FakeAnswer = unknown;

/**
 * The Engine API in-process, typed, for unit tests of what reads it: answers
 * by path (without query), every call recorded, and an event stream the test
 * opens, feeds and closes.
 */
export class FakeEngineApi implements EngineApi {
  readonly calls: string[] = [];
  private readonly answers = new Map<string, (path: string) => FakeAnswer>();
  private handlers: StreamHandlers | undefined;
  /** Whether a subscription opens by itself (otherwise the test calls openStream). */
  autoOpen = true;

  /** Answers GETs of `path` (no query; `*` for one segment) with `answer`, a function of the full path, or an error. */
  on(path: string, answer: FakeAnswer): this {
    this.answers.set(path, typeof answer === 'function' ? (answer as (p: string) => FakeAnswer) : () => answer);
    return this;
  }

  async get(path: EnginePath): Promise<EngineResponse> {
    return { body: await this.answer(path), apiVersion: '1.41' };
  }

  async getEach(path: EngineListPath, onItem: (item: unknown) => void): Promise<Omit<EngineResponse, 'body'>> {
    const body = await this.answer(path);
    if (!Array.isArray(body)) throw new EngineError(`GET ${path}: the answer is not a JSON list`, 'invalid_json');
    for (const item of body) onItem(item);
    return { apiVersion: '1.41' };
  }

  stream(path: EngineStreamPath, handlers: StreamHandlers): EngineStream {
    this.calls.push(`STREAM ${path.split('?')[0]}`);
    this.handlers = handlers;
    if (this.autoOpen) queueMicrotask(() => handlers.onOpen());
    return { close: () => this.closeStream('closed by the exporter') };
  }

  get streaming(): boolean {
    return this.handlers !== undefined;
  }

  openStream(): void {
    this.handlers?.onOpen();
  }

  emit(event: unknown): void {
    if (!this.handlers) throw new Error('no one subscribed to events');
    this.handlers.onEvent(event);
  }

  closeStream(reason = 'the daemon closed the stream'): void {
    const handlers = this.handlers;
    this.handlers = undefined;
    handlers?.onClose(reason);
  }

  /** Calls of `path` (without query) so far. */
  count(path: string): number {
    return this.calls.filter((c) => c === `GET ${path}`).length;
  }

  private async answer(fullPath: string): Promise<unknown> {
    const bare = fullPath.split('?')[0] ?? fullPath;
    this.calls.push(`GET ${bare}`);
    const answer =
      this.answers.get(bare) ??
      [...this.answers.entries()].find(
        ([key]) => key.includes('*') && new RegExp(`^${key.replace(/[.]/g, '\\.').replace('*', '[^/]+')}$`).test(bare),
      )?.[1];
    if (!answer) throw new EngineError(`GET ${bare}: HTTP 404: page not found`, 'http', 404);
    const value = await answer(fullPath);
    if (value instanceof EngineError) throw value;
    return value;
  }
}

/** A container as GET /containers/json lists it; networkMode null: without HostConfig, as Podman lists. */
export function listed(id: string, name: string, state: string, networkMode: string | null = 'default'): Record<string, unknown> {
  return {
    Id: id,
    Names: [`/${name}`],
    Image: 'busybox',
    State: state,
    ...(networkMode !== null ? { HostConfig: { NetworkMode: networkMode } } : {}),
  };
}

/** A container as GET /containers/{id}/json shows it. */
export function inspected(id: string, name: string, state: string, networkMode = 'default'): Record<string, unknown> {
  return { Id: id, Name: `/${name}`, State: { Status: state }, Config: { Image: 'busybox' }, HostConfig: { NetworkMode: networkMode } };
}

export function containerEvent(action: string, id: string, attributes: Record<string, string> = {}): Record<string, unknown> {
  return { Type: 'container', Action: action, Actor: { ID: id, Attributes: attributes } };
}

export const id = (n: number) => n.toString(16).padStart(64, '0');

/** Lets queued promise callbacks run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
