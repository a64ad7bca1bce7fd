#!/usr/bin/env node
import type { Logger } from 'winston';
import { commandHelpText, Config, ConfigError, helpText, parseConfig, Parsed } from './config/config';
import { ConnectionError, loadConnection } from './docker/connection';
import { EXIT } from './util/exitCodes';
import { errorMessage } from './util/errors';
import { createLogger } from './util/logger';
import { VERSION } from './util/version';
import { takeSystemdSocket } from './web/systemdSocket';
import type { WebConfig } from './web/webConfig';
import type * as WebConfigModule from './web/webConfig';
import type * as ServeModule from './commands/serve';
import { deferUnusedModules } from './docker/dockerode';
import { lazily } from './util/lazily';

const PROGRAM = 'docker-daemon-exporter';

/**
 * Exits once stdout and stderr have handed everything to the kernel. On a
 * pipe, process.exit() right after a large write drops what the pipe had not
 * taken yet (a report through `| jq` was cut at 64 KiB).
 */
function exitWhenWritten(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/** A command that ends: its exit status when it returns, `failed` with its message when it throws. */
function finish(command: string, done: Promise<number>, failed: number): void {
  done.then(exitWhenWritten, (err: unknown) => {
    process.stderr.write(`${PROGRAM} ${command}: ${errorMessage(err)}\n`);
    exitWhenWritten(failed);
  });
}

/** Bad configuration: the message (naming the flag), exit status 2. */
function refuse(message: string): void {
  process.stderr.write(`${PROGRAM}: ${message}\n`);
  exitWhenWritten(EXIT.usage);
}

function main(): void {
  // Before anything connects (and loads dockerode): its image-build session and docker-modem's ssh transport load only if called.
  deferUnusedModules();
  // A reader that went away (`| head`) is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  let parsed: Parsed;
  try {
    parsed = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return refuse(`${err.message}\n(see --help)`);
  }
  if (parsed.kind === 'help') {
    process.stdout.write(`${parsed.command ? commandHelpText(PROGRAM, parsed.command, process.env) : helpText(PROGRAM, process.env)}\n`);
    return;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`${PROGRAM} ${VERSION} (node ${process.version})\n`);
    return;
  }
  // Certificates and keys the connection flags name are read before anything starts: a bad one is bad configuration.
  try {
    loadConnection(parsed.config.docker);
  } catch (err) {
    if (!(err instanceof ConnectionError)) throw err;
    return refuse(err.message);
  }
  const logger = createLogger(parsed.config.logLevel, parsed.config.logFormat);
  // Each command is loaded when it runs: the exporter's web server (express) is no part of a one-shot
  // command, and loading every command cost plan and check a tenth of a second before their first request.
  switch (parsed.kind) {
    case 'plan': {
      const { format, remedies } = parsed;
      const run = import('./commands/plan.js').then(({ runPlan }) => runPlan(parsed.config, { format, remedies }, logger));
      return finish('plan', run, EXIT.plan.unreachable);
    }
    case 'reclaim': {
      const { yes, ignorePids } = parsed;
      const run = import('./commands/reclaim.js').then(({ runReclaim }) => runReclaim(parsed.config, { yes, ignorePids }, logger));
      return finish('reclaim', run, EXIT.reclaim.failed);
    }
    case 'check': {
      const { format, limit, remedies } = parsed;
      const run = import('./commands/check.js').then(({ runCheck }) => runCheck(parsed.config, { format, limit, remedies }, logger));
      return finish('check', run, EXIT.check.unreachable);
    }
    case 'textfile': {
      const { output } = parsed;
      const run = import('./commands/textfile.js').then(({ runTextfile }) => runTextfile(parsed.config, output, logger));
      return finish('textfile', run, EXIT.textfile.cannotWrite);
    }
    case 'run':
      return serve(parsed.config, logger);
  }
}

/** The web config's reader (and its YAML parser, 30 ms of every start), for serve only. */
const webConfigModule = lazily(
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, which an import cannot be
  () => require('./web/webConfig') as typeof WebConfigModule,
);
/** The server (express and its middleware), for serve only. */
const serveModule = lazily(
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, which an import cannot be
  () => require('./commands/serve') as typeof ServeModule,
);

/**
 * The exporter: its web config and systemd socket checked first (bad ones are bad configuration), then serving.
 * The web config's reader (and its YAML parser, 30 ms of every start) is loaded only here.
 */
function serve(config: Config, logger: Logger): void {
  try {
    let webConfig: WebConfig | undefined;
    if (config.webConfigFile) {
      const { loadWebConfig, WebConfigError } = webConfigModule();
      try {
        webConfig = loadWebConfig(config.webConfigFile);
      } catch (err) {
        if (!(err instanceof WebConfigError)) throw err;
        return refuse(`--web.config.file: ${config.webConfigFile}: ${err.message}`);
      }
    }
    let systemdFd: number | undefined;
    if (config.systemdSocket) {
      const socket = takeSystemdSocket(process.env, process.pid);
      if ('problem' in socket) return refuse(`--web.systemd-socket: ${socket.problem}`);
      systemdFd = socket.fd;
    }
    serveModule().runServe(config, webConfig, logger, systemdFd);
  } catch (err) {
    process.stderr.write(`${PROGRAM}: ${errorMessage(err)}\n`);
    exitWhenWritten(1);
  }
}

main();
