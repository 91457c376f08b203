import { z } from 'zod';

/**
 * Evolution API response shapes, read from its source
 * (src/api/controllers/instance.controller.ts, services/channels/whatsapp.baileys.service.ts,
 * services/channel.service.ts). Only the fields we use are required; the rest passes.
 */

const messageKeySchema = z.looseObject({
  id: z.string().min(1),
  remoteJid: z.string().optional(),
  remoteJidAlt: z.string().nullish(),
  fromMe: z.boolean().optional(),
});

const timestampSchema = z.union([z.number(), z.string()]).optional();

/** `POST /message/sendText/{instance}` answers 201 with the sent WAMessage. */
export const sendTextResponseSchema = z.looseObject({
  key: messageKeySchema,
  messageTimestamp: timestampSchema,
  status: z.string().optional(),
});

/** `GET /instance/connectionState/{instance}`: `{instance: {instanceName, state}}`; very old versions answer `{state}`. */
export const connectionStateResponseSchema = z.union([
  z
    .looseObject({ instance: z.looseObject({ instanceName: z.string().optional(), state: z.string().nullish() }) })
    .transform((v) => ({ state: v.instance.state ?? undefined })),
  z.looseObject({ state: z.string().nullish() }).transform((v) => ({ state: v.state ?? undefined })),
]);

/**
 * `GET /instance/fetchInstances`: v2 answers the instance rows
 * (`{id, name, connectionStatus, ownerJid, …}`), v1 answered
 * `[{instance: {instanceName, status, …}}]`.
 */
export const fetchInstancesResponseSchema = z.array(
  z.union([
    z.looseObject({ name: z.string().min(1) }).transform((v) => v.name),
    z
      .looseObject({ instance: z.looseObject({ instanceName: z.string().min(1) }) })
      .transform((v) => v.instance.instanceName),
  ]),
);

/** `POST /chat/findContacts/{instance}` with `{where: {}}`: the instance's stored contacts. */
export const findContactsResponseSchema = z.array(
  z.looseObject({
    id: z.string().nullish(),
    remoteJid: z.string().min(1),
    pushName: z.string().nullish(),
    profilePicUrl: z.string().nullish(),
  }),
);

const storedMessageSchema = z.looseObject({
  key: messageKeySchema,
  message: z
    .looseObject({
      conversation: z.string().nullish(),
      extendedTextMessage: z.looseObject({ text: z.string().nullish() }).nullish(),
    })
    .nullish(),
  messageTimestamp: timestampSchema,
});

/** `POST /chat/findMessages/{instance}`: v2 pages (`{messages: {records}}`), older versions a bare array. */
export const findMessagesResponseSchema = z.union([
  z.looseObject({ messages: z.looseObject({ records: z.array(storedMessageSchema) }) }),
  z.array(storedMessageSchema),
]);
export type StoredMessage = z.infer<typeof storedMessageSchema>;
