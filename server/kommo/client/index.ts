export { createKommoClient } from './client.js';
export { RateLimiter } from './limiter.js';
export { BlockCircuit } from './circuit.js';
export { chunk, DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE } from './batch.js';
export * from './errors.js';
export * from './schemas.js';
export type * from './types.js';
