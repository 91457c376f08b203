import { z } from 'zod';

/**
 * WUZAPI wraps every answer (handlers.go, `Respond`): `{code, data, success}`
 * on success, `{code, error, success: false}` on failure. `POST /chat/send/text`
 * puts `{Details: "Sent", Timestamp, Id}` in `data`, where `Id` is the one we
 * gave (or one WUZAPI generated).
 */
export const sendTextResponseSchema = z.looseObject({
  success: z.boolean().optional(),
  data: z.looseObject({
    Id: z.string().min(1),
    Timestamp: z.union([z.number(), z.string()]).optional(),
    Details: z.string().optional(),
  }),
});
