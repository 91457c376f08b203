import type { InternalMessage } from '@zaprelay/core';

/**
 * What a CRM needs besides the text to place an activity: the original of an
 * edit or deletion, the gateway's clock when it could not be trusted, and the
 * message's place in its chat (`chat_seq` sorts a same-second burst; see chat-order.ts).
 */
export function activityMetadataFor(message: InternalMessage, chatSeq?: number): Record<string, unknown> {
  return {
    chat_id: message.chatJid,
    ...(chatSeq === undefined ? {} : { chat_seq: chatSeq }),
    ...(message.revision
      ? { revision: message.revision.type, original_message_id: message.revision.originalMessageId }
      : {}),
    ...(message.gatewayTimestamp ? { timestamp_replaced: true, gateway_timestamp: message.gatewayTimestamp } : {}),
  };
}
