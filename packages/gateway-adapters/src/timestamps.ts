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

/** RFC 3339 (Go's time.Time JSON) → ISO in UTC, or undefined; Go's zero time counts as missing. */
export function isoFromRfc3339(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.startsWith('0001-01-01')) return undefined;
  return isoFromMs(Date.parse(value));
}
