export * from './accounts.js';
export * from './jobs.js';
export * from './activity-logs.js';
export * from './auth-jtis.js';
export * from './kommo-mirror.js';
export * from './sync.js';
export * from './conversations.js';
