/**
 * Evolution's `formatBRNumber` (src/utils/createJid.ts): for a 13-digit
 * Brazilian number it drops the ninth digit when the DDD is 31 or more and
 * the next digit is 7 or more, because WhatsApp still knows those mobiles by
 * the old 12-digit form. The JIDs Evolution answers and echoes then carry 12
 * digits. Digits in, digits out.
 */
export function evolutionBrazilianDigits(digits: string): string {
  const match = /^55(\d{2})\d(\d{8})$/.exec(digits);
  const ddd = match?.[1];
  const rest = match?.[2];
  if (!ddd || !rest) return digits;
  return Number(rest[0]) < 7 || Number(ddd) < 31 ? digits : `55${ddd}${rest}`;
}
