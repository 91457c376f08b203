import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { prettyFactory } from 'pino-pretty';

const COLOURS = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m'];
const RESET = '\x1b[0m';

/**
 * Interleaves the JSON logs of several processes into one readable stream:
 * each line pretty-printed and tagged with its process.
 */
export function createLogPrinter(out: Writable, { colour }: { colour: boolean }) {
  const pretty = prettyFactory({
    colorize: colour,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,name',
    singleLine: true,
  });
  let next = 0;
  return function pipe(label: string, input: Readable) {
    const tag = colour ? `${COLOURS[next++ % COLOURS.length]}${label.padEnd(9)}${RESET}` : label.padEnd(9);
    const lines = createInterface({ input });
    lines.on('line', (line) => {
      let text = line;
      if (line.startsWith('{')) {
        try {
          text = pretty(JSON.parse(line)).trimEnd();
        } catch {
          // not JSON after all: print as it came
        }
      }
      out.write(`${tag}│ ${text}\n`);
    });
  };
}
