import { describe, expect, it } from 'vitest';
import { isoTimestamp } from '../src/trace/iso-timestamp.js';

describe('isoTimestamp', () => {
  it('is toISOString for any millisecond, across seconds, days and years, in any order', () => {
    const at = [
      Date.UTC(2026, 10, 30, 23, 59, 59, 999),
      Date.UTC(2026, 11, 1, 0, 0, 0, 0),
      Date.UTC(2026, 11, 1, 0, 0, 0, 7),
      Date.UTC(2026, 11, 1, 0, 0, 0, 42),
      Date.UTC(2026, 10, 30, 23, 59, 59, 5),
      Date.UTC(2027, 0, 1, 0, 0, 1, 100),
      0,
    ];
    for (const ms of at) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
    for (let ms = 1_796_077_716_000; ms < 1_796_077_718_000; ms += 7) {
      expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
