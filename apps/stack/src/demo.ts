import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  evolutionConnection,
  evolutionContactsUpsert,
  evolutionGroupText,
  evolutionImage,
  evolutionOutboundUpsert,
  evolutionText,
  repoRoot,
} from '@zaprelay/test-kit';

/**
 * `pnpm demo`: posts a handful of realistic Evolution webhooks to the running
 * ingress (started by `pnpm start`) and one send through the API, so a
 * newcomer sees jobs flow through the queues, the dashboard and the CRM double.
 */
function demoSettings() {
  try {
    return JSON.parse(readFileSync(join(repoRoot, '.data', 'demo.json'), 'utf8')) as {
      port: string;
      dashboardPort?: string;
      evolutionToken?: string;
      apiToken?: string;
    };
  } catch {
    return {
      port: process.env.PORT ?? '3000',
      dashboardPort: process.env.DASHBOARD_PORT,
      evolutionToken: process.env.EVOLUTION_WEBHOOK_TOKEN,
      apiToken: process.env.API_TOKEN,
    };
  }
}

const settings = demoSettings();
const base = `http://127.0.0.1:${settings.port}`;
const instance = 'demo-instance';
const run = Date.now().toString(36).toUpperCase();
const webhooks = [
  evolutionConnection({ instance, state: 'open' }),
  evolutionContactsUpsert({ instance, contacts: [{ phone: '+5511987650001', pushName: 'Ana Souza' }] }),
  evolutionText({
    instance,
    id: `DEMO${run}A`,
    phone: '+5511987650001',
    pushName: 'Ana Souza',
    text: 'Oi! Vocês abrem no sábado?',
  }),
  evolutionImage({
    instance,
    id: `DEMO${run}B`,
    phone: '+5511987650002',
    pushName: 'Bruno Lima',
    caption: 'Foto do pedido',
  }),
  evolutionOutboundUpsert({
    instance,
    id: `DEMO${run}C`,
    phone: '+5511987650001',
    text: 'Abrimos sim, das 9h às 13h.',
  }),
  evolutionGroupText({ instance, id: `DEMO${run}D`, text: 'Mensagem de grupo (ignorada por padrão)' }),
];

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return `${response.status} ${await response.text()}`;
}

const auth: Record<string, string> = settings.evolutionToken ? { 'x-webhook-token': settings.evolutionToken } : {};
for (const webhook of webhooks) {
  process.stdout.write(
    `POST /webhooks/evolution ${webhook.event.padEnd(18)} → ${await post('/webhooks/evolution', webhook, auth)}\n`,
  );
}
// The same message again: absorbed as a duplicate.
process.stdout.write(
  `POST /webhooks/evolution (redelivery)       → ${await post('/webhooks/evolution', webhooks[2], auth)}\n`,
);
if (settings.apiToken) {
  const sent = await post(
    '/api/messages',
    { instance, to: '+5511987650002', text: 'Recebemos sua foto, obrigado!' },
    { authorization: `Bearer ${settings.apiToken}` },
  );
  process.stdout.write(`POST /api/messages                          → ${sent}\n`);
}
process.stdout.write(
  `\nWatch them at http://localhost:${settings.dashboardPort ?? '3001'} (dashboard) and in the \`pnpm start\` logs.\n`,
);
