import { describe, expect, it } from 'vitest';
import { type AdminModule, loadAdmin } from '../../widget/src/areas/admin-loader.js';

const admin: AdminModule = { renderAdmin: () => true, unmountAll: () => undefined, renderStageEditor: () => undefined, unmountStageEditor: () => undefined };
const self = { params: { path: '/upl/kai_agent/widget', version: '1.2.0' }, get_settings: () => ({}) };

describe('admin.js, loaded on demand', () => {
  it("asks the page's RequireJS for admin.js in the widget's folder, once", async () => {
    const asked: string[] = [];
    const amd = (deps: string[], ok: (m: AdminModule) => void) => {
      asked.push(...deps);
      ok(admin);
    };
    await expect(loadAdmin(self, amd)).resolves.toBe(admin);
    await expect(loadAdmin(self, amd)).resolves.toBe(admin);
    expect(asked).toEqual(['/upl/kai_agent/widget/admin.js?v=1.2.0']);
  });
});
