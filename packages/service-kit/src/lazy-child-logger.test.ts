import { Writable } from 'node:stream';
import { createLogger } from '@zaprelay/core';
import { describe, expect, it } from 'vitest';
import { createFastify } from './create-fastify.js';

function capture(level: 'info' | 'warn') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger({ LOG_LEVEL: level }, { name: 'test', destination }) };
}

describe('request loggers (lazyChildLoggerFactory)', () => {
  it('write with the request id and redaction as a pino child would, and stay silent below the level', async () => {
    for (const level of ['info', 'warn'] as const) {
      const { lines, logger } = capture(level);
      const app = createFastify(logger);
      app.get('/x', async (req) => {
        req.log.info({ apiKey: 'secret-value', jobId: 'j1' }, 'stored');
        req.log.warn({ jobId: 'j2' }, 'odd');
        return { ok: true };
      });
      const res = await app.inject({ url: '/x?token=abc' });
      expect(res.statusCode).toBe(200);
      await app.close();
      const ours = lines.filter((l) => l.jobId);
      const reqIds = new Set(ours.map((l) => l.reqId));
      expect(reqIds.size).toBe(1);
      expect([...reqIds][0]).toMatch(/^req-/);
      if (level === 'info') {
        expect(ours.map((l) => l.msg)).toEqual(['stored', 'odd']);
        expect(JSON.stringify(lines)).not.toContain('secret-value');
        // Fastify's own request lines are still written at info, without the query string.
        expect(lines.some((l) => l.msg === 'incoming request')).toBe(true);
        expect(JSON.stringify(lines)).not.toContain('token=abc');
      } else {
        expect(ours.map((l) => l.msg)).toEqual(['odd']);
        expect(lines.some((l) => l.msg === 'incoming request')).toBe(false);
      }
    }
  });
});
