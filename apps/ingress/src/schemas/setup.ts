import { z } from 'zod';

/** `POST /api/setup/{gateway}` body and `GET /api/setup/{gateway}?instance=` query. */
export const setupInstanceSchema = z.object({ instance: z.string().trim().min(1).max(200) });
