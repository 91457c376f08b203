import { type BackfillProgress, wuzapiDedupeKey } from '@zaprelay/core';
import { WuzapiHistoryDisabledError, type WuzapiHistoryReader, type WuzapiHistoryRow } from '@zaprelay/gateway-clients';
import type { ReadBackStore } from './store-read-back.js';

/** Rows asked per chat: WUZAPI answers a chat's newest rows, with no cursor and no time filter. */
export const WUZAPI_ROWS_PER_CHAT = 200;

export const HISTORY_OFF_NOTE =
  'WUZAPI keeps no message history for this user (GET /chat/history answered 501): nothing could be checked; enable it with POST /session/history';

const CONTENT_OF: Record<string, string> = {
  image: 'imageMessage',
  video: 'videoMessage',
  audio: 'audioMessage',
  ptt: 'audioMessage',
  document: 'documentMessage',
  sticker: 'stickerMessage',
};

const userOf = (jid: string | null | undefined) => (jid ?? '').split('@')[0]?.split(':')[0] ?? '';

/**
 * The `Message` webhook a history row would have been. The row has no
 * `IsFromMe`: in a one-to-one chat a sender other than the chat (WUZAPI writes
 * `me` or our own JID) is us.
 */
export function rowAsMessageEvent(row: WuzapiHistoryRow & { chat_jid: string; message_id: string }) {
  const isGroup = row.chat_jid.endsWith('@g.us');
  const fromMe = !isGroup && Boolean(row.sender_jid) && userOf(row.sender_jid) !== userOf(row.chat_jid);
  const text = row.text_content ?? '';
  const contentType = CONTENT_OF[row.message_type ?? ''];
  const message = contentType ? { [contentType]: text ? { caption: text } : {} } : { conversation: text };
  return {
    type: 'Message',
    event: {
      Info: {
        Chat: row.chat_jid,
        Sender: row.sender_jid ?? row.chat_jid,
        IsFromMe: fromMe,
        IsGroup: isGroup,
        ID: row.message_id,
        PushName: '',
        Timestamp: row.timestamp ?? new Date().toISOString(),
      },
      Message: message,
    },
  };
}

export interface WuzapiRunInput {
  instance: string;
  userToken: string;
  chats: string[];
  since: number;
  until: number;
  progress: BackfillProgress;
}

/**
 * Reads each chat's stored history (where the user has history on) and stores
 * the rows whose time falls in `[since, until]`, oldest first. WUZAPI's time is
 * when it stored the row, close to but not exactly the message's.
 */
export async function reconcileWuzapi(
  reader: WuzapiHistoryReader,
  store: ReadBackStore,
  input: WuzapiRunInput,
  hooks: { pause(): Promise<void>; chatDone(progress: BackfillProgress): Promise<void> },
): Promise<BackfillProgress> {
  const progress = input.progress;
  progress.chats = { done: 0, total: input.chats.length };
  progress.historyAvailable = true;
  if (input.chats.length === 0) progress.notes.push('no WUZAPI chat of this instance was seen in events yet');
  for (const chat of input.chats) {
    let rows: WuzapiHistoryRow[];
    try {
      rows = await reader.chatHistory(input.userToken, chat, WUZAPI_ROWS_PER_CHAT);
    } catch (err) {
      if (!(err instanceof WuzapiHistoryDisabledError)) throw err;
      progress.historyAvailable = false;
      progress.notes.push(HISTORY_OFF_NOTE);
      return progress;
    }
    await hooks.pause();
    const inRange = rows
      .map((row) => ({ row, at: Date.parse(row.timestamp ?? '') }))
      .filter(({ at }) => Number.isFinite(at) && at >= input.since && at <= input.until)
      .sort((a, b) => a.at - b.at);
    const note = `some chats had more than ${WUZAPI_ROWS_PER_CHAT} messages in the range: only the newest were read`;
    if (rows.length >= WUZAPI_ROWS_PER_CHAT && inRange.length === rows.length && !progress.notes.includes(note)) {
      progress.notes.push(note);
    }
    for (const { row } of inRange) {
      progress.read++;
      if (!row.message_id || !row.chat_jid || row.chat_jid === 'status@broadcast') {
        progress.skipped++;
        continue;
      }
      const jsonData = rowAsMessageEvent({ ...row, chat_jid: row.chat_jid, message_id: row.message_id });
      const dedupeKey = wuzapiDedupeKey('Message', input.instance, jsonData) as string;
      const outcome = await store.store(
        {
          source: 'wuzapi',
          event: 'Message',
          instance: input.instance,
          auth: { instanceName: input.instance },
          payload: { jsonData, instanceName: input.instance },
        },
        dedupeKey,
        [],
        row.message_id,
      );
      progress[outcome]++;
    }
    progress.chats.done++;
    await hooks.chatDone(progress);
  }
  return progress;
}
