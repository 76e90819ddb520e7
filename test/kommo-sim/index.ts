/** Kommo account simulator over real HTTP: see sim.ts for the entry point (`KommoSim.start`). */
export { KommoSim, type AccountRef, type SimOptions } from './sim.js';
export type { SimState, AccountInfo, TokenRecord } from './state.js';
export type { SeedCounts } from './seed.js';
export type { RequestLog } from './server.js';
export type { OAuthCounters } from './oauth.js';
export { Faults } from './faults.js';
export { WEBHOOK_SETTINGS } from './routes-misc.js';
export { maxInWindow } from './rate-limit.js';
export type * from './types.js';
export type { ChatMessage, ClientWrote, Delivery, Salesbot, SalesbotRun } from './chats.js';
export { salesbotToken } from './chats.js';
