import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { evolutionBrazilianDigits } from './br-number.js';
import { type FaultOptions, type HttpFault, installFaults, type RecordedRequest } from './http-faults.js';

/**
 * A real HTTP server that answers like Evolution API v2 (shapes read from its
 * source: instance.controller.ts, whatsapp.baileys.service.ts, channel.service.ts)
 * for the calls zaprelay makes. Usable from tests and from the demo launcher.
 */

export type EvolutionConnectionStateName = 'open' | 'connecting' | 'close';

export interface EvolutionDoubleOptions {
  /** The global API key Evolution expects in the `apikey` header. */
  apiKey: string;
  /** Instances and their connection state at start (default: none). */
  instances?: Record<string, EvolutionConnectionStateName>;
  /**
   * When set, Evolution's webhooks go there: a `send.message` echo of every
   * sent message, and `connection.update` when setState changes a state.
   */
  webhookUrl?: string;
  /** Evolution's "webhook by events": append the event (`/send-message`, `/connection-update`) to the URL. */
  webhookByEvents?: boolean;
  /** Headers the instance's webhook config lists (e.g. a shared token). */
  webhookHeaders?: Record<string, string>;
  host?: string;
}

export interface EvolutionSentRecord {
  instance: string;
  messageId: string;
  /** `number` as the client sent it. */
  number: string;
  remoteJid: string;
  text: string;
  at: number;
}

export interface EvolutionWebhookRecord {
  event: 'send.message' | 'connection.update';
  instance: string;
  /** For `send.message`: the echoed message. */
  messageId?: string;
  status?: number;
  error?: string;
}

export interface EvolutionDoubleContact {
  remoteJid: string;
  pushName?: string;
  profilePicUrl?: string;
}

export interface EvolutionDouble {
  /** Base URL once listening, e.g. `http://127.0.0.1:39211`. */
  readonly url: string;
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
  /** Every request, in arrival order (headers left out: they carry the key). */
  readonly requests: readonly RecordedRequest[];
  /** Messages actually sent (committed), including those whose answer was dropped. */
  readonly sent: readonly EvolutionSentRecord[];
  /** Webhooks posted, once answered (or failed). */
  readonly webhooks: readonly EvolutionWebhookRecord[];
  addInstance(name: string, state?: EvolutionConnectionStateName): void;
  setState(instance: string, state: EvolutionConnectionStateName): void;
  setContacts(instance: string, contacts: EvolutionDoubleContact[]): void;
  /** Numbers (digits, as sent) WhatsApp does not know: sendText answers 400 `exists: false`, as Evolution does. */
  markNotOnWhatsApp(digits: string): void;
  /** Delay before every answer (or one instance's answers), to play a slow gateway. */
  setResponseDelay(ms: number, instance?: string): void;
  injectFault(fault: HttpFault, options?: FaultOptions): void;
  clearFaults(): void;
  /** Resolves once every webhook posted so far has been answered or failed. */
  flushWebhooks(): Promise<void>;
}

interface StoredMessage {
  id: string;
  key: { id: string; remoteJid: string; fromMe: true };
  pushName: string;
  status: string;
  message: { conversation: string };
  contextInfo: null;
  messageType: 'conversation';
  messageTimestamp: number;
  instanceId: string;
  source: 'unknown';
}

interface InstanceRecord {
  id: string;
  name: string;
  state: EvolutionConnectionStateName;
  ownerJid: string;
  contacts: EvolutionDoubleContact[];
  messages: StoredMessage[];
  delayMs: number;
  createdAt: string;
}

const NUMBER = /^\+?[1-9]\d{6,14}$/;

/** Baileys' id format: `3EB0` and 18 upper-case hex digits. */
const newMessageId = () => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;

const evolutionError = (status: number, error: string, message: unknown) => ({ status, error, response: { message } });

type InstanceRequest = FastifyRequest<{ Params: { instance: string } }>;

export function createEvolutionDouble(options: EvolutionDoubleOptions): EvolutionDouble {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const instances = new Map<string, InstanceRecord>();
  let globalDelayMs = 0;
  const faults = installFaults(app, (request) => {
    const params = request.params as { instance?: string } | undefined;
    return globalDelayMs + (params?.instance ? (instances.get(params.instance)?.delayMs ?? 0) : 0);
  });
  const sent: EvolutionSentRecord[] = [];
  const webhooks: EvolutionWebhookRecord[] = [];
  const pendingWebhooks = new Set<Promise<void>>();
  const notOnWhatsApp = new Set<string>();
  let baseUrl: string | undefined;

  const addInstance = (name: string, state: EvolutionConnectionStateName = 'open') => {
    const digits = `5511${String(9e8 + instances.size).padStart(9, '0')}`;
    instances.set(name, {
      id: randomUUID(),
      name,
      state,
      ownerJid: `${digits}@s.whatsapp.net`,
      contacts: [],
      messages: [],
      delayMs: 0,
      createdAt: new Date().toISOString(),
    });
  };
  for (const [name, state] of Object.entries(options.instances ?? {})) addInstance(name, state);

  const instanceOf = (request: InstanceRequest, reply: FastifyReply): InstanceRecord | undefined => {
    const found = instances.get(request.params.instance);
    if (!found) {
      void reply
        .code(404)
        .send(evolutionError(404, 'Not Found', [`The "${request.params.instance}" instance does not exist`]));
    }
    return found;
  };

  const postWebhook = (event: EvolutionWebhookRecord['event'], instance: InstanceRecord, data: object) => {
    if (!options.webhookUrl) return;
    const url = options.webhookByEvents
      ? `${options.webhookUrl.replace(/\/$/, '')}/${event.replace('.', '-')}`
      : options.webhookUrl;
    const body = {
      event,
      instance: instance.name,
      data,
      destination: url,
      date_time: new Date().toISOString(),
      sender: instance.ownerJid,
      server_url: baseUrl,
      apikey: null,
    };
    const record: EvolutionWebhookRecord = { event, instance: instance.name };
    if (event === 'send.message') record.messageId = (data as StoredMessage).key.id;
    const delivery = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.webhookHeaders },
      body: JSON.stringify(body),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        webhooks.push({ ...record, status: res.status });
      })
      .catch((err: unknown) => {
        webhooks.push({ ...record, error: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => pendingWebhooks.delete(delivery));
    pendingWebhooks.add(delivery);
  };

  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.apikey !== options.apiKey) {
      return reply.code(401).send(evolutionError(401, 'Unauthorized', 'Unauthorized'));
    }
  });

  app.post('/message/sendText/:instance', async (request: InstanceRequest, reply) => {
    const instance = instanceOf(request, reply);
    if (!instance) return reply;
    const body = (request.body ?? {}) as { number?: unknown; text?: unknown };
    if (typeof body.number !== 'string' || typeof body.text !== 'string' || body.text.length === 0) {
      return reply.code(400).send(evolutionError(400, 'Bad Request', ['number and text are required']));
    }
    const isJid = body.number.includes('@');
    if (!isJid && (!NUMBER.test(body.number) || notOnWhatsApp.has(body.number.replace(/^\+/, '')))) {
      return reply
        .code(400)
        .send(
          evolutionError(400, 'Bad Request', [
            { exists: false, jid: `${body.number}@s.whatsapp.net`, number: body.number },
          ]),
        );
    }
    if (instance.state !== 'open') {
      return reply.code(500).send(evolutionError(500, 'Internal Server Error', ['Connection Closed']));
    }
    // Evolution's createJid: a Brazilian mobile may lose its ninth digit on the way to WhatsApp.
    const remoteJid = isJid
      ? body.number
      : `${evolutionBrazilianDigits(body.number.replace(/^\+/, ''))}@s.whatsapp.net`;
    const messageId = newMessageId();
    const message: StoredMessage = {
      id: randomUUID(),
      key: { id: messageId, remoteJid, fromMe: true },
      pushName: '',
      status: 'PENDING',
      message: { conversation: body.text },
      contextInfo: null,
      messageType: 'conversation',
      messageTimestamp: Math.floor(Date.now() / 1000),
      instanceId: instance.id,
      source: 'unknown',
    };
    instance.messages.push(message);
    sent.push({ instance: instance.name, messageId, number: body.number, remoteJid, text: body.text, at: Date.now() });
    postWebhook('send.message', instance, message);
    const { id: _rowId, ...answer } = message;
    return reply.code(201).send(answer);
  });

  app.get('/instance/connectionState/:instance', async (request: InstanceRequest, reply) => {
    const instance = instanceOf(request, reply);
    if (!instance) return reply;
    return { instance: { instanceName: instance.name, state: instance.state } };
  });

  app.get('/instance/fetchInstances', async () =>
    [...instances.values()].map((i) => ({
      id: i.id,
      name: i.name,
      connectionStatus: i.state,
      ownerJid: i.ownerJid,
      profileName: null,
      profilePicUrl: null,
      integration: 'WHATSAPP-BAILEYS',
      number: null,
      businessId: null,
      token: randomUUID().toUpperCase(),
      clientName: 'evolution_double',
      disconnectionReasonCode: null,
      disconnectionObject: null,
      disconnectionAt: null,
      createdAt: i.createdAt,
      updatedAt: i.createdAt,
      _count: { Message: i.messages.length, Contact: i.contacts.length, Chat: 0 },
    })),
  );

  app.post('/chat/findContacts/:instance', async (request: InstanceRequest, reply) => {
    const instance = instanceOf(request, reply);
    if (!instance) return reply;
    return instance.contacts.map((c) => ({
      id: randomUUID(),
      remoteJid: c.remoteJid,
      pushName: c.pushName ?? null,
      profilePicUrl: c.profilePicUrl ?? null,
      createdAt: instance.createdAt,
      updatedAt: instance.createdAt,
      instanceId: instance.id,
    }));
  });

  app.post('/chat/findMessages/:instance', async (request: InstanceRequest, reply) => {
    const instance = instanceOf(request, reply);
    if (!instance) return reply;
    const query = (request.body ?? {}) as {
      where?: {
        key?: { id?: string; fromMe?: boolean; remoteJid?: string };
        messageTimestamp?: { gte?: string; lte?: string };
      };
      page?: number;
      offset?: number;
    };
    const key = query.where?.key ?? {};
    const range = query.where?.messageTimestamp;
    // Evolution applies the time filter only when both ends are given.
    const gte = range?.gte && range.lte ? Math.floor(Date.parse(range.gte) / 1000) : undefined;
    const lte = range?.gte && range.lte ? Math.floor(Date.parse(range.lte) / 1000) : undefined;
    const matching = instance.messages
      .filter(
        (m) =>
          (!key.id || m.key.id === key.id) &&
          (!key.fromMe || m.key.fromMe === key.fromMe) &&
          (!key.remoteJid || m.key.remoteJid === key.remoteJid) &&
          (gte === undefined || m.messageTimestamp >= gte) &&
          (lte === undefined || m.messageTimestamp <= lte),
      )
      .sort((a, b) => b.messageTimestamp - a.messageTimestamp);
    const offset = query.offset || 50;
    const page = query.page || 1;
    return {
      messages: {
        total: matching.length,
        pages: Math.ceil(matching.length / offset),
        currentPage: page,
        records: matching.slice(offset * (page - 1), offset * page),
      },
    };
  });

  const must = (name: string) => {
    const found = instances.get(name);
    if (!found) throw new Error(`no instance ${name} in the Evolution double; addInstance() first`);
    return found;
  };

  return {
    get url() {
      if (!baseUrl) throw new Error('the Evolution double is not listening yet');
      return baseUrl;
    },
    async listen(port = 0) {
      const address = await app.listen({ port, host: options.host ?? '127.0.0.1' });
      baseUrl = address;
      return address;
    },
    async close() {
      faults.abortPauses();
      await Promise.allSettled([...pendingWebhooks]);
      await app.close();
    },
    requests: faults.requests,
    sent,
    webhooks,
    addInstance,
    setState(name, state) {
      const instance = must(name);
      if (instance.state === state) return;
      instance.state = state;
      // statusReason as Baileys reports it: 200 when open, 428 (connection closed) otherwise.
      postWebhook('connection.update', instance, {
        instance: name,
        state,
        statusReason: state === 'open' ? 200 : 428,
      });
    },
    setContacts(instance, contacts) {
      must(instance).contacts = [...contacts];
    },
    markNotOnWhatsApp(digits) {
      notOnWhatsApp.add(digits.replace(/^\+/, ''));
    },
    setResponseDelay(ms, instance) {
      if (instance) must(instance).delayMs = ms;
      else globalDelayMs = ms;
    },
    injectFault: faults.inject,
    clearFaults: faults.clear,
    async flushWebhooks() {
      await Promise.allSettled([...pendingWebhooks]);
    },
  };
}
