import { describe, expect, it } from 'vitest';
import { type AdminModule, loadAdmin } from '../../widget/src/areas/admin-loader.js';

const admin: AdminModule = { renderAdmin: () => true, unmountAll: () => undefined, renderStageEditor: () => undefined, unmountStageEditor: () => undefined };

describe('admin.js that fails to load', () => {
  it('without a widget path or an AMD loader it says so instead of hanging', async () => {
    await expect(loadAdmin({ params: {}, get_settings: () => ({}) }, undefined)).rejects.toThrow(/no AMD loader or widget path/);
  });
  it('rejects, and the next attempt asks again', async () => {
    let attempts = 0;
    const amd = (_deps: string[], ok: (m: AdminModule) => void, fail?: (e: unknown) => void) => {
      attempts++;
      if (attempts === 1) fail?.(new Error('Script error for admin.js'));
      else ok(admin);
    };
    const self = { params: { path: '/widget' }, get_settings: () => ({}) };
    await expect(loadAdmin(self, amd)).rejects.toThrow('Script error');
    await expect(loadAdmin(self, amd)).resolves.toBe(admin);
    expect(attempts).toBe(2);
  });
});
