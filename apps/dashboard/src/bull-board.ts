import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { hideMessageText } from './hide-message-text.js';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board over every queue: lists jobs and their errors, retries all failed
 * jobs of a queue ("Retry all") and replays one job ("Retry"). In read-only
 * mode its API answers 405 to every action and the UI hides them. Registered
 * in a scope whose prefix is DASHBOARD_BASE_PATH, so its own links carry it.
 */
export async function registerBullBoard(
  app: FastifyInstance,
  queues: Queue[],
  options: { readOnly: boolean; basePath?: string; hideMessageText?: boolean },
): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(`${options.basePath ?? ''}${BULL_BOARD_PATH}`);
  const adapters = queues.map((queue) => {
    const adapter = new BullMQAdapter(queue, { readOnlyMode: options.readOnly, allowRetries: !options.readOnly });
    if (options.hideMessageText) adapter.setFormatter('data', hideMessageText);
    return adapter;
  });
  createBullBoard({ queues: adapters, serverAdapter, options: { uiConfig: { boardTitle: 'zaprelay queues' } } });
  await app.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
}
