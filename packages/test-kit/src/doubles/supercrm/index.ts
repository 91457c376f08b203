export type { AgentEdit } from './agent-edits.js';
export type { CrmActivity, CrmContact } from './crm-state.js';
export type { FaultRule, SuperCrmFault } from './faults.js';
export { maxInAnyWindow } from './sliding-window.js';
export {
  createSuperCrmDouble,
  type SuperCrmDouble,
  type SuperCrmDoubleOptions,
  type SuperCrmRequestRecord,
} from './supercrm-double.js';
