/**
 * Values baked in by scripts/widget-build.ts (esbuild `define`). A marketplace widget is one archive for
 * every account, so the backend address is fixed at build time from PUBLIC_URL.
 */
declare const __KAI_BACKEND_URL__: string | undefined;
declare const __KAI_HOOK_SECRET__: string | undefined;

export const BACKEND_URL: string = typeof __KAI_BACKEND_URL__ === 'string' ? __KAI_BACKEND_URL__ : 'http://localhost:3000';
/** The path secret of the Salesbot handler URL (`/salesbot/<secret>`), the same one the manifest's DP URL carries. */
export const HOOK_SECRET: string = typeof __KAI_HOOK_SECRET__ === 'string' ? __KAI_HOOK_SECRET__ : 'dev';
