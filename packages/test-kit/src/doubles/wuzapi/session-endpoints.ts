import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Event types WUZAPI accepts in a subscription (constants.go `supportedEventTypes`, the part zaprelay meets). */
const SUPPORTED_EVENTS = new Set([
  'Message',
  'UndecryptableMessage',
  'Receipt',
  'ReadReceipt',
  'MediaRetry',
  'GroupInfo',
  'JoinedGroup',
  'Picture',
  'BlocklistChange',
  'Blocklist',
  'Connected',
  'Disconnected',
  'ConnectFailure',
  'KeepAliveRestored',
  'KeepAliveTimeout',
  'LoggedOut',
  'ClientOutdated',
  'TemporaryBan',
  'StreamError',
  'StreamReplaced',
  'PairSuccess',
  'PairError',
  'QR',
  'QRScannedWithoutMultidevice',
  'PrivacySettings',
  'PushNameSetting',
  'UserAbout',
  'AppState',
  'AppStateSyncComplete',
  'HistorySync',
  'OfflineSyncCompleted',
  'OfflineSyncPreview',
  'CallOffer',
  'CallAccept',
  'CallTerminate',
  'CallOfferNotice',
  'CallRelayLatency',
  'Presence',
  'ChatPresence',
  'IdentityChange',
  'CATRefreshError',
  'NewsletterJoin',
  'NewsletterLeave',
  'NewsletterMuteChange',
  'NewsletterLiveUpdate',
  'FBMessage',
  'All',
]);

/** whatsmeow's ContactInfo, as `GET /user/contacts` lists it per JID. */
export interface WuzapiDoubleContact {
  jid: string;
  FirstName?: string;
  FullName?: string;
  PushName?: string;
  BusinessName?: string;
}

export interface WuzapiUserSession {
  webhook: string;
  /** The stored comma list, split. */
  events: string[];
  hmacKey?: string;
  connected: boolean;
  loggedIn: boolean;
  contacts: WuzapiDoubleContact[];
}

export interface WuzapiSessions {
  /** A user's state by instance name; every configured user starts connected and logged in. */
  of(user: string): WuzapiUserSession;
}

const failure = (code: number, error: string) => ({ code, error, success: false });
const ok = (data: unknown) => ({ code: 200, data, success: true });

/**
 * The user endpoints of WUZAPI's handlers.go that set up and watch a session:
 * `GET/POST /webhook`, `POST /session/hmac/config`, `GET /session/status`, `GET /user/contacts`.
 */
export function installWuzapiSessionEndpoints(app: FastifyInstance, users: Record<string, string>): WuzapiSessions {
  const sessions = new Map<string, WuzapiUserSession>();
  const of = (user: string) => {
    let found = sessions.get(user);
    if (!found) {
      found = { webhook: '', events: [], connected: true, loggedIn: true, contacts: [] };
      sessions.set(user, found);
    }
    return found;
  };
  const userOf = (request: FastifyRequest, reply: FastifyReply) => {
    const token = request.headers.token;
    const user = typeof token === 'string' ? users[token] : undefined;
    if (!user) void reply.code(401).send(failure(401, 'unauthorized'));
    return user;
  };

  app.get('/webhook', async (request, reply) => {
    const user = userOf(request, reply);
    if (!user) return reply;
    const s = of(user);
    // strings.Split("", ",") is [""]: an empty subscription reads back as one empty string.
    return ok({ webhook: s.webhook, subscribe: s.events.length > 0 ? s.events : [''] });
  });

  app.post('/webhook', async (request, reply) => {
    const user = userOf(request, reply);
    if (!user) return reply;
    const body = request.body as { webhookurl?: unknown; events?: unknown } | undefined;
    if (!body || typeof body !== 'object') return reply.code(400).send(failure(400, 'could not decode payload'));
    const s = of(user);
    s.webhook = typeof body.webhookurl === 'string' ? body.webhookurl : '';
    if (Array.isArray(body.events) && body.events.length > 0) {
      s.events = body.events.map(String).filter((e) => SUPPORTED_EVENTS.has(e));
    }
    return ok({ webhook: s.webhook });
  });

  app.post('/session/hmac/config', async (request, reply) => {
    const user = userOf(request, reply);
    if (!user) return reply;
    const key = (request.body as { hmac_key?: unknown } | undefined)?.hmac_key;
    if (typeof key !== 'string' || key.length < 32) {
      return reply.code(400).send(failure(400, 'HMAC key must be at least 32 characters long'));
    }
    of(user).hmacKey = key;
    return ok({ Details: 'HMAC configuration updated successfully' });
  });

  app.get('/session/status', async (request, reply) => {
    const user = userOf(request, reply);
    if (!user) return reply;
    const s = of(user);
    return ok({
      id: `user-${user}`,
      name: user,
      connected: s.connected,
      loggedIn: s.loggedIn,
      jid: s.loggedIn ? '5511900000000:1@s.whatsapp.net' : '',
      webhook: s.webhook,
      events: s.events.join(','),
      hmac_configured: Boolean(s.hmacKey),
    });
  });

  app.get('/user/contacts', async (request, reply) => {
    const user = userOf(request, reply);
    if (!user) return reply;
    const s = of(user);
    if (!s.connected) return reply.code(500).send(failure(500, 'no session'));
    return ok(
      Object.fromEntries(
        s.contacts.map(({ jid, ...info }) => [
          jid,
          { Found: true, FirstName: '', FullName: '', PushName: '', BusinessName: '', ...info },
        ]),
      ),
    );
  });

  return { of };
}
