import { manualClock } from '../../server/lib/clock.js';
import type { LlmClient } from '../../server/llm/llm.types.js';
import { createModules, moduleList } from '../../server/modules.js';
import { closePlatform, createPlatform, type PlatformOverrides } from '../../server/platform.js';
import { startRuntime } from '../../server/runtime.js';
import { testEnv } from './env.js';

/** The real app on a fresh in-memory database with the real migrations, booted as production boots it. */
export function buildTestApp(opts: { env?: Record<string, string | undefined>; overrides?: PlatformOverrides; manualTime?: boolean; llm?: LlmClient } = {}) {
  const clock = opts.manualTime ? manualClock(Date.now()) : undefined;
  const p = createPlatform(testEnv(opts.env), { ...(clock ? { clock } : {}), ...opts.overrides });
  const m = createModules(p, { llm: opts.llm });
  const runtime = startRuntime(p, moduleList(m));
  return { p, m, app: runtime.app, clock, close: () => closePlatform(p) };
}
