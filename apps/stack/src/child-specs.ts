import type { ChildSpec } from './children.js';

/** The three processes of the system, as `pnpm start:<name>` runs them. */
export const children: ChildSpec[] = [
  { label: 'ingress', entry: 'apps/ingress/src/main.ts' },
  { label: 'worker', entry: 'apps/worker/src/main.ts' },
  { label: 'dashboard', entry: 'apps/dashboard/src/main.ts' },
];
