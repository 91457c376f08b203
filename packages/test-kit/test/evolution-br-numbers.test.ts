import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evolutionBrazilianDigits } from '../src/doubles/evolution/br-number.js';
import { createEvolutionDouble, type EvolutionDouble } from '../src/index.js';

describe("Evolution double: Evolution's Brazilian rewrite (formatBRNumber)", () => {
  it.each([
    ['DDD 41, next digit 9: the 9 goes', '5541991234567', '554191234567'],
    ['DDD 31, next digit 7: the 9 goes', '5531971234567', '553171234567'],
    ['DDD 11 keeps its 9 (below 31)', '5511987654321', '5511987654321'],
    ['DDD 41, next digit 6 keeps its 9', '5541961234567', '5541961234567'],
    ['already 12 digits', '554191234567', '554191234567'],
    ['landline', '554132221111', '554132221111'],
    ['not Brazilian (13 digits)', '4915123456789', '4915123456789'],
  ])('%s: %s → %s', (_case, digits, expected) => {
    expect(evolutionBrazilianDigits(digits)).toBe(expected);
  });

  describe('over HTTP', () => {
    let double: EvolutionDouble;
    beforeAll(async () => {
      double = createEvolutionDouble({ apiKey: 'k', instances: { main: 'open' } });
      await double.listen();
    });
    afterAll(() => double.close());

    const sendText = (number: string) =>
      fetch(`${double.url}/message/sendText/main`, {
        method: 'POST',
        headers: { apikey: 'k', 'content-type': 'application/json' },
        body: JSON.stringify({ number, text: 'Olá!' }),
      });

    it('answers (and echoes) the 12-digit JID for a 13-digit DDD 41 mobile', async () => {
      const res = await sendText('5541991234567');
      expect(res.status).toBe(201);
      expect(((await res.json()) as { key: { remoteJid: string } }).key.remoteJid).toBe('554191234567@s.whatsapp.net');
      expect(double.sent.at(-1)).toMatchObject({ number: '5541991234567', remoteJid: '554191234567@s.whatsapp.net' });
    });

    it("answers 400 exists:false for a number WhatsApp does not know, as Evolution's sendText does", async () => {
      double.markNotOnWhatsApp('+5541999990000');
      const res = await sendText('5541999990000');
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        status: 400,
        response: { message: [{ exists: false, number: '5541999990000' }] },
      });
    });
  });
});
