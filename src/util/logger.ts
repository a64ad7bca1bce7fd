import winston from 'winston';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'logfmt' | 'json';

function logfmtValue(value: unknown): string {
  const text = typeof value === 'string' ? value : value instanceof Error ? value.message : JSON.stringify(value);
  // JSON.stringify(undefined) is undefined, whatever its type says.
  const shown = text as string | undefined;
  return /^[^\s"=]+$/.test(shown ?? '') ? (shown ?? '') : JSON.stringify(shown ?? '');
}

/** logfmt, as Prometheus' own components log: ts=… level=… msg="…" key=value. */
const logfmt = winston.format.printf((entry) => {
  const { level, message, timestamp, ...rest } = entry;
  const fields: string[] = [`ts=${String(timestamp)}`, `level=${level}`, `msg=${logfmtValue(message)}`];
  for (const [key, value] of Object.entries(rest)) {
    if (typeof key === 'string') fields.push(`${key}=${logfmtValue(value)}`);
  }
  return fields.join(' ');
});

/** Logs go to stderr, so stdout stays clean for commands that print results. */
export function createLogger(level: LogLevel, format: LogFormat): winston.Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), format === 'json' ? winston.format.json() : logfmt),
    // winston's types declare Console both as an interface and as its constructor.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}
