import { z } from 'zod';

const jsonDataSchema = z.object({ type: z.string().min(1).max(100), event: z.unknown().optional() }).loose();

/** Default format: form fields, `jsonData` a JSON string; older versions send `token` instead of `userID`. */
export const wuzapiFormSchema = z.object({
  jsonData: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'jsonData is not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(jsonDataSchema),
  userID: z.string().max(200).optional(),
  instanceName: z.string().max(200).optional(),
  token: z.string().max(500).optional(),
});

/** `WEBHOOK_FORMAT=json`: the same fields at the top level; read into the form's shape. */
export const wuzapiJsonSchema = jsonDataSchema
  .extend({
    userID: z.string().max(200).optional(),
    instanceName: z.string().max(200).optional(),
    token: z.string().max(500).optional(),
  })
  .transform(({ userID, instanceName, token, ...jsonData }) => ({ jsonData, userID, instanceName, token }));

export const HANDLED_WUZAPI_TYPES = new Set([
  'Message',
  'ReadReceipt',
  'Presence',
  'ChatPresence',
  'Connected',
  'Disconnected',
  'LoggedOut',
  'QR',
]);
