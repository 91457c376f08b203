import { once } from 'node:events';
import { connect } from 'node:net';

/** One command Redis ran, as MONITOR reports it: the client that sent it (`ip:port`, or `lua`) and its arguments. */
export interface MonitoredCommand {
  client: string;
  /** As Redis quotes them: non-printable bytes stay escaped (`\xde`). */
  args: string[];
}

const resp = (args: string[]) =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/** `+1796089005.283301 [0 127.0.0.1:60106] "evalsha" "d96c…" "11" …` */
const LINE = /^\+[\d.]+ \[\d+ ([^\]]+)\] (.*)$/;
const QUOTED = /"((?:[^"\\]|\\.)*)"/g;

/**
 * Every command Redis runs, from the moment this resolves until `stop()`: MONITOR on a plain socket. Not
 * ioredis' monitor mode: it switches to it only after MONITOR's reply, so a monitored command arriving in the
 * same read as that reply fails with "Command queue state error", which a Redis busy with other tests' work
 * makes likely.
 */
export async function monitorCommands(
  target: { host?: string; port?: number; password?: string | null; username?: string | null },
  onCommand: (command: MonitoredCommand) => void,
): Promise<{ stop(): void }> {
  const socket = connect({ host: target.host ?? '127.0.0.1', port: target.port ?? 6379 });
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.setEncoding('utf8');
  const auth = target.password
    ? [target.username ? ['AUTH', target.username, target.password] : ['AUTH', target.password]]
    : [];
  const started = new Promise<void>((resolve, reject) => {
    let buffer = '';
    // One OK for AUTH (if sent), one for MONITOR: monitored commands follow the last.
    let awaited = auth.length + 1;
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (awaited > 0 && line === '+OK') {
          if (--awaited === 0) resolve();
        } else if (line.startsWith('-')) reject(new Error(`MONITOR refused: ${line.slice(1)}`));
        else {
          const match = LINE.exec(line);
          if (match)
            onCommand({
              client: match[1] as string,
              args: [...(match[2] as string).matchAll(QUOTED)].map((a) => a[1] as string),
            });
        }
      }
    });
  });
  for (const command of [...auth, ['MONITOR']]) socket.write(resp(command));
  try {
    await started;
  } catch (err) {
    socket.destroy();
    throw err;
  }
  return { stop: () => socket.destroy() };
}
