import { type BackfillProgress, evolutionDedupeKey } from '@zaprelay/core';
import type { EvolutionHistoryReader, EvolutionStoredRecord } from '@zaprelay/gateway-clients';
import type { ReadBackStore } from './store-read-back.js';

/**
 * Evolution's only index on messages is the instance: a deep page is a scan.
 * Short windows keep every query small; every page of a window is read.
 */
export const EVOLUTION_WINDOW_MS = 15 * 60 * 1000;
export const EVOLUTION_PAGE_SIZE = 50;

export interface EvolutionRunInput {
  instance: string;
  since: number;
  until: number;
  /** Resume after this (a retried run). */
  cursor?: number;
  progress: BackfillProgress;
}

export interface EvolutionRunHooks {
  /** After each window: persist the cursor and the counts (a retry resumes here). */
  windowDone(cursor: number, progress: BackfillProgress): Promise<void>;
  /** Between gateway requests: politeness. */
  pause(): Promise<void>;
}

const secondsOf = (r: EvolutionStoredRecord) => Number(r.messageTimestamp ?? 0);

/** The record without Evolution's row fields: the `data` of the `messages.upsert` webhook it would have been. */
function asWebhookData(record: EvolutionStoredRecord): Record<string, unknown> {
  const { id: _rowId, MessageUpdate: _updates, ...data } = record as Record<string, unknown>;
  const message = data.message as Record<string, unknown> | null | undefined;
  if (message && typeof message === 'object' && 'base64' in message) {
    const { base64: _inline, ...rest } = message;
    data.message = rest;
  }
  return data;
}

export function windowsOf(since: number, until: number): Array<[number, number]> {
  const windows: Array<[number, number]> = [];
  for (let start = since; start < until; start += EVOLUTION_WINDOW_MS) {
    windows.push([start, Math.min(start + EVOLUTION_WINDOW_MS, until)]);
  }
  return windows;
}

/** Reads `[since, until]` window by window, oldest first; each window's messages are stored oldest first. */
export async function reconcileEvolution(
  reader: EvolutionHistoryReader,
  store: ReadBackStore,
  input: EvolutionRunInput,
  hooks: EvolutionRunHooks,
): Promise<BackfillProgress> {
  const progress = input.progress;
  const all = windowsOf(input.since, input.until);
  progress.windows = {
    done: all.filter(([, end]) => input.cursor !== undefined && end <= input.cursor).length,
    total: all.length,
  };
  for (const [start, end] of all) {
    if (input.cursor !== undefined && end <= input.cursor) continue;
    const records: EvolutionStoredRecord[] = [];
    let pages = 1;
    for (let page = 1; page <= pages; page++) {
      const answer = await reader.findMessagesPage(input.instance, {
        since: new Date(start),
        until: new Date(end),
        page,
        pageSize: EVOLUTION_PAGE_SIZE,
      });
      pages = answer.pages;
      records.push(...answer.records);
      await hooks.pause();
    }
    // Evolution's ends are inclusive and in whole seconds: a message on a boundary belongs to the later window.
    const last = end === input.until;
    const inWindow = records.filter((r) => {
      const ms = secondsOf(r) * 1000;
      return ms >= start && (last ? ms <= end : ms < end);
    });
    inWindow.sort((a, b) => secondsOf(a) - secondsOf(b));
    for (const record of inWindow) {
      progress.read++;
      const id = record.key?.id;
      const chat = record.key?.remoteJid;
      if (!id || !chat || chat === 'status@broadcast') {
        progress.skipped++;
        continue;
      }
      const data = asWebhookData(record);
      const upsertKey = evolutionDedupeKey('messages.upsert', input.instance, data) as string;
      const echoKey = evolutionDedupeKey('send.message', input.instance, data) as string;
      const outcome = await store.store(
        {
          source: 'evolution',
          event: 'messages.upsert',
          instance: input.instance,
          payload: { event: 'messages.upsert', instance: input.instance, data },
        },
        upsertKey,
        record.key?.fromMe ? [echoKey] : [],
        id,
      );
      progress[outcome]++;
    }
    progress.windows.done++;
    await hooks.windowDone(end, progress);
  }
  return progress;
}
