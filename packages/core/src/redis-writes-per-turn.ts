import { Redis } from 'ioredis';

/**
 * A connection whose socket writes are held until the end of the current
 * turn of the event loop (its check phase, `setImmediate`), so the commands
 * of every request or job handled in that turn leave in one write and Redis
 * reads them in one read.
 *
 * Why not ioredis' auto-pipelining: it batches only the commands of one
 * tick (one socket callback, so one webhook or job), and builds each
 * pipeline by copying every script defined on the connection (BullMQ
 * defines 64), which cost more than the writes it saved. Here nothing is
 * built: the socket is corked on a turn's first command and uncorked at the
 * end of the turn. Commands keep their order, and none waits past the loop's
 * next check phase (one issued in a check phase waits for the next one).
 */
export class WritesPerTurnRedis extends Redis {
  #holding = false;

  override sendCommand(...args: Parameters<Redis['sendCommand']>): ReturnType<Redis['sendCommand']> {
    if (!this.#holding && this.status === 'ready') {
      const socket = this.stream;
      this.#holding = true;
      socket.cork();
      setImmediate(() => {
        this.#holding = false;
        socket.uncork();
      });
    }
    return super.sendCommand(...args);
  }
}
