/**
 * The longest text zaprelay sends through a gateway, in UTF-16 code units. One
 * limit for both doors: `/api/messages` refuses a longer text with 400, and a
 * longer send the CRM requests becomes a `[not sent]` activity on the contact.
 */
export const MAX_SEND_TEXT_LENGTH = 4096;
