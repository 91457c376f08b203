/**
 * Brazil added a ninth digit (a leading 9) to every mobile number, but
 * WhatsApp still addresses many of them by the old 12-digit form (Evolution's
 * `formatBRNumber` drops the 9 for DDD >= 31 when the next digit is >= 7), while
 * agents and CRMs write the 13-digit one. Both spellings are one person.
 */
export interface PhoneForms {
  /** The form contacts are created and cached under: the 13-digit one for a Brazilian mobile, else the phone itself. */
  canonical: string;
  /** Every spelling of this person's phone, the canonical one first (at most two). */
  forms: string[];
}

// +55, a DDD (two digits, no zero), then the subscriber number. Old mobiles began with 6 to 9;
// landlines (2 to 5) have no ninth-digit variant.
const BR_NEW_MOBILE = /^\+55([1-9][1-9])9([6-9]\d{7})$/;
const BR_OLD_MOBILE = /^\+55([1-9][1-9])([6-9]\d{7})$/;

/** Both forms of a Brazilian mobile; anything else (landlines, other countries) is its own only form. Pure. */
export function phoneForms(phone: string): PhoneForms {
  const mobile = BR_NEW_MOBILE.exec(phone) ?? BR_OLD_MOBILE.exec(phone);
  if (!mobile) return { canonical: phone, forms: [phone] };
  const [, ddd, subscriber] = mobile;
  const canonical = `+55${ddd}9${subscriber}`;
  return { canonical, forms: [canonical, `+55${ddd}${subscriber}`] };
}

/** The form a contact is created and cached under (see phoneForms). */
export const canonicalPhone = (phone: string): string => phoneForms(phone).canonical;
