import { createLogger, type Logger } from '@zaprelay/core';

/** A real pino logger (with the project's redaction) whose lines a test can read back. */
export function capturingLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger(
    { LOG_LEVEL: level },
    { name: 'test', destination: { write: (line: string) => void lines.push(line) } },
  );
  return { logger, lines };
}
