export { createOutboundWorker } from './create-outbound-worker.js';
export { createOutboundProcessor, type OutboundWorkerDeps } from './process-outbound-job.js';
export { type SendProgress, sendProgressSchema } from './send-progress.js';
export { wuzapiMessageId } from './wuzapi-message-id.js';
