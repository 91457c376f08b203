let second = Number.NaN;
let prefix = '';

/**
 * `new Date(ms).toISOString()`, cheaply: V8 takes ~1.7 µs per call here, and
 * every trace entry carries one; the part up to the second is formatted once
 * per second.
 */
export function isoTimestamp(ms: number = Date.now()): string {
  const s = Math.floor(ms / 1000);
  if (s !== second) {
    second = s;
    prefix = new Date(s * 1000).toISOString().slice(0, 20);
  }
  const millis = ms - s * 1000;
  return `${prefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}
