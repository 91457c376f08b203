/**
 * Evolution's `formatBRNumber` (src/utils/createJid.ts): for a 13-digit
 * Brazilian number it drops the ninth digit when the DDD is 31 or more and
 * the next digit is 7 or more, because WhatsApp still knows those mobiles by
 * the old 12-digit form. The JIDs Evolution answers and echoes then carry 12
 * digits. Digits in, digits out.
 */
export function evolutionBrazilianDigits(digits: string): string {
  const match = /^(\d{2})(\d{2})\d(\d{8})$/.exec(digits);
  if (!match || match[1] !== '55') return digits;
  const [, country, ddd, rest] = match as unknown as [string, string, string, string];
  const joker = Number(rest[0]);
  return joker < 7 || Number(ddd) < 31 ? digits : `${country}${ddd}${rest}`;
}
