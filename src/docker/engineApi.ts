import { StringDecoder } from 'node:string_decoder';
import type { IncomingMessage } from 'node:http';
import { errorMessage } from '../util/errors';
import type { Transport } from './dockerModem';
import { JsonArraySplitter } from './jsonArraySplitter';

/**
 * The only Engine API endpoints the exporter reads. Every request is a GET:
 * the exporter never changes the daemon, and the type keeps it that way.
 * `/system/df` and `?size=true` are absent on purpose: they walk every layer
 * and are known to stall daemons for minutes.
 */
export type EnginePath =
  | '/_ping'
  | '/info'
  | '/version'
  | `/containers/${string}/json`
  | `/containers/${string}/json?size=1`
  | `/images/${string}/json`
  | '/volumes'
  | '/images/json';

/** Answers that are long lists, read one element at a time. */
export type EngineListPath = '/containers/json?all=1';

/** The event stream: a GET that stays open. */
export type EngineStreamPath = `/events?filters=${string}`;

export interface StreamHandlers {
  /** The daemon accepted the subscription; events follow. */
  onOpen(): void;
  onEvent(event: unknown): void;
  /** The stream ended or failed; called once. */
  onClose(reason: string): void;
}

export interface EngineStream {
  close(): void;
}

export interface EngineResponse {
  body: unknown;
  /** The daemon's `Api-Version` response header. */
  apiVersion?: string;
}

export interface EngineApi {
  get(path: EnginePath): Promise<EngineResponse>;
  /**
   * A list answer handed over element by element as it arrives, never held
   * whole: 10,000 containers are 10 MB of JSON and several times that parsed.
   */
  getEach(path: EngineListPath, onItem: (item: unknown) => void): Promise<Omit<EngineResponse, 'body'>>;
  stream(path: EngineStreamPath, handlers: StreamHandlers): EngineStream;
}

export class EngineError extends Error {
  constructor(
    message: string,
    /**
     * permission, missing and refused: the socket is forbidden, absent, or nobody listens on it;
     * tls: the TLS handshake failed (a certificate refused either way); ssh: the ssh connection failed;
     * not_woken: not connected, as that would start a stopped socket-activated daemon.
     */
    readonly kind:
      | 'timeout'
      | 'permission'
      | 'missing'
      | 'refused'
      | 'unreachable'
      | 'tls'
      | 'ssh'
      | 'http'
      | 'too_large'
      | 'invalid_json'
      | 'not_woken',
    /** The HTTP status when the daemon answered with an error (404: no such container). */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface EngineApiOptions {
  /** How a GET reaches the daemon (unix, tcp, TLS or ssh: src/docker/dockerModem.ts), built in the wiring: the request rules never see which. */
  transport: Transport;
  /** Deadline for one whole request, connection to last byte. */
  timeoutMs: number;
  /** Answers above this are dropped: a daemon (or impostor) cannot exhaust our memory. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 32 * 1024 * 1024;
/** A list read element by element is not held, so it may be longer than any single answer (a quarter of a million containers). */
const MAX_LIST_BYTES = 256 * 1024 * 1024;
/** One container in a list is a few kilobytes. */
const MAX_LIST_ELEMENT_CHARS = 4 * 1024 * 1024;
/** One event is a few hundred bytes; a longer line is not an event. */
const MAX_EVENT_LINE = 1024 * 1024;

/** How an answer failed to arrive, in words a person can act on. */
export type EngineFailure = EngineError['kind'];

/**
 * Engine API through a transport (src/docker/dockerModem.ts: dockerode's modem over unix socket, tcp, tcp with TLS, ssh),
 * read as a stream so that one deadline covers the whole answer (a daemon
 * that drips bytes cannot hold a scrape) and its size is capped: dockerode's
 * own calls buffer whole answers without a cap and have no deadline past the
 * connection, so only its transport is used.
 */
export function createEngineApi(options: EngineApiOptions): EngineApi {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const open = opener(options.transport);
  const request = <T>(path: string, read: AnswerReader<T>) => withDeadline(open, path, options.timeoutMs, read);
  return {
    get: (path: EnginePath) =>
      request<EngineResponse>(path, (res, finish) => readBody(res, { path, maxBody, text: PLAIN_TEXT.has(path) }, finish)),
    getEach: (path: EngineListPath, onItem: (item: unknown) => void) =>
      request<Omit<EngineResponse, 'body'>>(path, (res, finish) => readList(res, path, onItem, finish)),
    stream: (path: EngineStreamPath, handlers: StreamHandlers) => openEventStream(open, path, handlers, options.timeoutMs),
  };
}

/** Why a GET got no answer, in one line: connection, TLS, ssh (the transport's) or HTTP. */
interface OpenFailure {
  message: string;
  kind: EngineFailure;
  status?: number;
}

/** One GET whose answer (status 200) is handed over as a stream. */
type Open = (path: string, signal: AbortSignal, done: (err: OpenFailure | undefined, res?: IncomingMessage) => void) => void;

type AnswerReader<T> = (res: IncomingMessage, finish: (err: EngineError | undefined, value?: T) => void) => void;

/** GETs through the transport: every status comes back as a stream; anything but 200 is read (a little of it) into the daemon's message. */
function opener(transport: Transport): Open {
  return (path, signal, done) => {
    transport.dial(path, signal, (err, res) => {
      if (err || !res) {
        if (!signal.aborted) done(transport.failure(err ?? new Error('no answer')));
        return;
      }
      if (res.statusCode === 200) done(undefined, res);
      else readErrorAnswer(res, done);
    });
  };
}

/**
 * The daemon's own words for an error: {"message": "No such container: …"}. A few hundred bytes are
 * enough; the rest is not read (an answer of any length costs no more).
 */
function readErrorAnswer(res: IncomingMessage, done: (err: OpenFailure) => void): void {
  const status = res.statusCode ?? 0;
  let text = '';
  let reported = false;
  const report = () => {
    if (reported) return;
    reported = true;
    done({ message: `HTTP ${status}${daemonMessage(status, text)}`, kind: 'http', status });
  };
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    text += chunk;
    if (text.length >= 512) {
      report();
      res.destroy();
    }
  });
  res.on('error', () => undefined);
  res.on('end', report);
}

/** ": <the message>" of an error answer, its JSON message when it is JSON; with a hint when plain HTTP reached a TLS daemon. */
function daemonMessage(status: number, text: string): string {
  let message = text.trim().slice(0, 200);
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { message?: unknown }).message === 'string') {
      message = (parsed as { message: string }).message;
    }
  } catch {
    // Not JSON (or cut short): the text as it came.
  }
  if (status === 400 && /HTTP request to an HTTPS server/i.test(message)) {
    message += ' (the daemon speaks TLS: set --docker.tls-verify or DOCKER_TLS_VERIFY=1)';
  }
  return message ? `: ${message}` : '';
}

/** One GET under one deadline, from connection to the reader's last byte. */
function withDeadline<T>(open: Open, path: string, timeoutMs: number, read: AnswerReader<T>): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (err: EngineError | undefined, value?: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        controller.abort();
        reject(err);
      } else resolve(value as T);
    };
    const timer = setTimeout(() => finish(new EngineError(`GET ${path}: no complete answer within ${timeoutMs} ms`, 'timeout')), timeoutMs);
    open(path, controller.signal, (err, res) => {
      if (err || !res) finish(new EngineError(`GET ${path}: ${err?.message ?? 'no answer'}`, err?.kind ?? 'unreachable', err?.status));
      else read(res, finish);
    });
  });
}

/** The event stream: only the subscription has a deadline; the stream itself is meant to stay open. */
function openEventStream(open: Open, path: EngineStreamPath, handlers: StreamHandlers, timeoutMs: number): EngineStream {
  const controller = new AbortController();
  let closed = false;
  let response: IncomingMessage | undefined;
  const close = (reason: string) => {
    if (closed) return;
    closed = true;
    clearTimeout(connectTimer);
    controller.abort();
    response?.destroy();
    handlers.onClose(reason);
  };
  const connectTimer = setTimeout(() => close(`GET ${path}: no answer within ${timeoutMs} ms`), timeoutMs);
  open(path, controller.signal, (err, res) => {
    if (closed) {
      res?.destroy();
      return;
    }
    if (err || !res) return close(`GET /events: ${err?.message ?? 'no answer'}`);
    clearTimeout(connectTimer);
    response = res;
    handlers.onOpen();
    readEventLines(res, handlers, close, () => closed);
  });
  return { close: () => close('closed by the exporter') };
}

/** Events are lines of JSON; a line that is not JSON, or too long to be an event, ends the stream. */
function readEventLines(res: IncomingMessage, handlers: StreamHandlers, close: (reason: string) => void, isClosed: () => boolean): void {
  let pending = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line === '') continue;
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        return close('GET /events: an event is not JSON');
      }
      handlers.onEvent(event);
      if (isClosed()) return;
    }
    if (pending.length > MAX_EVENT_LINE) close('GET /events: an event line is too long');
  });
  res.on('end', () => close('GET /events: the daemon closed the stream'));
  res.on('error', (e) => close(`GET /events: ${e.message}`));
}

function apiVersionOf(res: IncomingMessage): string | undefined {
  const header = res.headers['api-version'];
  return typeof header === 'string' ? header : undefined;
}

function readList(
  res: IncomingMessage,
  path: string,
  onItem: (item: unknown) => void,
  finish: (err: EngineError | undefined, value?: Omit<EngineResponse, 'body'>) => void,
): void {
  const splitter = new JsonArraySplitter(MAX_LIST_ELEMENT_CHARS);
  let size = 0;
  const fail = (err: EngineError) => {
    res.destroy();
    finish(err);
  };
  // Bytes counted as they arrive, decoded apart: after setEncoding the chunks are characters, and a list
  // of names in a multi-byte script passed the cap at up to three times its size.
  const decoder = new StringDecoder('utf8');
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_LIST_BYTES) return fail(new EngineError(`GET ${path}: answer larger than ${MAX_LIST_BYTES} bytes`, 'too_large'));
    let elements: string[];
    try {
      elements = splitter.push(decoder.write(chunk));
    } catch (err) {
      return fail(new EngineError(`GET ${path}: ${errorMessage(err)}`, 'invalid_json'));
    }
    for (const element of elements) {
      let item: unknown;
      try {
        item = JSON.parse(element);
      } catch {
        return fail(new EngineError(`GET ${path}: the answer is not JSON`, 'invalid_json'));
      }
      onItem(item);
    }
  });
  res.on('error', (err) => finish(new EngineError(`GET ${path}: ${err.message}`, 'unreachable')));
  res.on('end', () => {
    try {
      const rest = decoder.end();
      if (rest !== '') for (const element of splitter.push(rest)) onItem(JSON.parse(element));
      splitter.end();
    } catch (err) {
      return finish(new EngineError(`GET ${path}: ${errorMessage(err)}`, 'invalid_json'));
    }
    finish(undefined, { apiVersion: apiVersionOf(res) });
  });
}

/** The endpoints that answer plain text (/_ping: "OK"); every other answers JSON. */
const PLAIN_TEXT: ReadonlySet<EnginePath> = new Set<EnginePath>(['/_ping']);

/** A whole answer up to `maxBody` bytes, parsed as JSON unless `text`. */
function readBody(
  res: IncomingMessage,
  { path, maxBody, text: asText }: { path: string; maxBody: number; text: boolean },
  finish: (err: EngineError | undefined, value?: EngineResponse) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBody) {
      res.destroy();
      finish(new EngineError(`GET ${path}: answer larger than ${maxBody} bytes`, 'too_large'));
      return;
    }
    chunks.push(chunk);
  });
  res.on('error', (err) => finish(new EngineError(`GET ${path}: ${err.message}`, 'unreachable')));
  res.on('end', () => {
    let body: unknown;
    try {
      const text = Buffer.concat(chunks).toString('utf8');
      body = asText ? text : JSON.parse(text);
    } catch {
      finish(new EngineError(`GET ${path}: the answer is not JSON`, 'invalid_json'));
      return;
    }
    finish(undefined, { body, apiVersion: apiVersionOf(res) });
  });
}
