#!/usr/bin/env node
import { runCheck } from './commands/check';
import { runPlan } from './commands/plan';
import { runReclaim } from './commands/reclaim';
import { runServe } from './commands/serve';
import { runTextfile } from './commands/textfile';
import { commandHelpText, ConfigError, helpText, parseConfig, Parsed } from './config/config';
import { ConnectionError, loadConnection } from './docker/connection';
import { EXIT } from './util/exitCodes';
import { errorMessage } from './util/errors';
import { createLogger } from './util/logger';
import { VERSION } from './util/version';
import { takeSystemdSocket } from './web/systemdSocket';
import { loadWebConfig, WebConfig, WebConfigError } from './web/webConfig';

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

function main(): void {
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
    process.stderr.write(`${PROGRAM}: ${err.message}\n(see --help)\n`);
    return exitWhenWritten(EXIT.usage);
  }
  if (parsed.kind !== 'help' && parsed.kind !== 'version') {
    // Certificates and keys the connection flags name are read before anything starts: a bad one is bad configuration.
    try {
      loadConnection(parsed.config.docker);
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err;
      process.stderr.write(`${PROGRAM}: ${err.message}\n`);
      return exitWhenWritten(EXIT.usage);
    }
  }
  switch (parsed.kind) {
    case 'help':
      process.stdout.write(`${parsed.command ? commandHelpText(PROGRAM, parsed.command, process.env) : helpText(PROGRAM, process.env)}\n`);
      return;
    case 'version':
      process.stdout.write(`${PROGRAM} ${VERSION} (node ${process.version})\n`);
      return;
    case 'plan': {
      const logger = createLogger(parsed.config.logLevel, parsed.config.logFormat);
      runPlan(parsed.config, { format: parsed.format, remedies: parsed.remedies }, logger).then(exitWhenWritten, (err: unknown) => {
        process.stderr.write(`${PROGRAM} plan: ${errorMessage(err)}\n`);
        exitWhenWritten(EXIT.plan.unreachable);
      });
      return;
    }
    case 'reclaim': {
      const logger = createLogger(parsed.config.logLevel, parsed.config.logFormat);
      runReclaim(parsed.config, { yes: parsed.yes, ignorePids: parsed.ignorePids }, logger).then(exitWhenWritten, (err: unknown) => {
        process.stderr.write(`${PROGRAM} reclaim: ${errorMessage(err)}\n`);
        exitWhenWritten(EXIT.reclaim.failed);
      });
      return;
    }
    case 'check':
    case 'textfile': {
      const logger = createLogger(parsed.config.logLevel, parsed.config.logFormat);
      const done =
        parsed.kind === 'check'
          ? runCheck(parsed.config, { format: parsed.format, limit: parsed.limit, remedies: parsed.remedies }, logger)
          : runTextfile(parsed.config, parsed.output, logger);
      const kind = parsed.kind;
      done.then(exitWhenWritten, (err: unknown) => {
        process.stderr.write(`${PROGRAM} ${kind}: ${errorMessage(err)}\n`);
        exitWhenWritten(kind === 'check' ? EXIT.check.unreachable : EXIT.textfile.cannotWrite);
      });
      return;
    }
    case 'run': {
      // A bad web config is bad configuration: refuse to start, naming the problem.
      let webConfig: WebConfig | undefined;
      if (parsed.config.webConfigFile) {
        try {
          webConfig = loadWebConfig(parsed.config.webConfigFile);
        } catch (err) {
          if (!(err instanceof WebConfigError)) throw err;
          process.stderr.write(`${PROGRAM}: --web.config.file: ${parsed.config.webConfigFile}: ${err.message}\n`);
          return exitWhenWritten(EXIT.usage);
        }
      }
      let systemdFd: number | undefined;
      if (parsed.config.systemdSocket) {
        const socket = takeSystemdSocket(process.env, process.pid);
        if ('problem' in socket) {
          process.stderr.write(`${PROGRAM}: --web.systemd-socket: ${socket.problem}\n`);
          return exitWhenWritten(EXIT.usage);
        }
        systemdFd = socket.fd;
      }
      runServe(parsed.config, webConfig, createLogger(parsed.config.logLevel, parsed.config.logFormat), systemdFd);
    }
  }
}

main();
