export { createFastify } from './create-fastify.js';
export { type HealthRoutesOptions, healthRoutes } from './health-routes.js';
export { type MetricsRouteOptions, metricsRoute } from './metrics-route.js';
export { installShutdown, type ShutdownStep } from './shutdown.js';
