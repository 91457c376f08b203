/** protobufjs Long as Baileys may leave it in `messageTimestamp`. */
interface LongLike {
  low: number;
  high: number;
}

function isLongLike(v: unknown): v is LongLike {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as LongLike).low === 'number' &&
    typeof (v as LongLike).high === 'number'
  );
}

function isoFromMs(ms: number): string | undefined {
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Unix time as Evolution sends it (seconds; number, numeric string or Long) → ISO, or undefined. */
export function isoFromUnix(value: unknown): string | undefined {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) n = Number(value);
  else if (isLongLike(value)) n = value.high * 2 ** 32 + (value.low >>> 0);
  if (n === undefined) return undefined;
  // Some builds send milliseconds; no message is from before 2001 in seconds-as-ms terms.
  return isoFromMs(n > 1e12 ? n : n * 1000);
}

/** A date-time with no zone (`2026-11-22T14:03:11`, `2026-11-22 14:03:11.5`): JavaScript would read it as local time. */
const ZONELESS = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** An ISO / RFC 3339 date-time → epoch ms; one without a zone is read as UTC, whatever the host's zone. */
export function parseUtc(value: string): number {
  const s = value.trim();
  return Date.parse(ZONELESS.test(s) ? `${s.replace(' ', 'T')}Z` : s);
}

/** RFC 3339 (Go's time.Time JSON) → ISO in UTC, or undefined; Go's zero time counts as missing. */
export function isoFromRfc3339(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.startsWith('0001-01-01')) return undefined;
  return isoFromMs(parseUtc(value));
}

/** Before WhatsApp existed: a zeroed or garbled clock. */
const EARLIEST_PLAUSIBLE_MS = Date.UTC(2009, 0, 1);
const MAX_AHEAD_MS = 24 * 60 * 60 * 1000;

/**
 * The gateway's time unless it cannot be true (before 2009, or more than a day
 * after we received the event): then the time of receipt, and the gateway's
 * value is returned as `replaced` for the activity's metadata.
 */
export function plausibleTimestamp(iso: string, receivedAt: number): { timestamp: string; replaced?: string } {
  const ms = Date.parse(iso);
  if (ms >= EARLIEST_PLAUSIBLE_MS && ms <= receivedAt + MAX_AHEAD_MS) return { timestamp: iso };
  return { timestamp: new Date(receivedAt).toISOString(), replaced: iso };
}
