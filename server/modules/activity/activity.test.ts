import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../../test/helpers/world.js';
import { authHeaders } from '../../../test/helpers/tokens.js';

let ctx: World;
afterEach(async () => ctx?.stop());

async function page(accountId: number, query = '') {
  const res = await ctx.app.request(`/api/dashboard/updates${query}`, { headers: authHeaders(accountId) });
  return { status: res.status, body: (await res.json()) as any };
}

describe('GET /api/dashboard/updates', () => {
  it("never shows account A's token account B's activity", async () => {
    ctx = await startWorld({ sim: false });
    ctx.m.activity.services.activity.write({ accountId: 1, type: 'lead.status', title: 'A moved a lead', leadId: 10 });
    ctx.m.activity.services.activity.write({ accountId: 2, type: 'lead.status', title: 'B moved a lead', leadId: 10 });
    const a = await page(1);
    expect(a.body.items.map((i: any) => i.title)).toEqual(['A moved a lead']);
    const aByLead = await page(1, '?leadId=10');
    expect(aByLead.body.items).toHaveLength(1);
    const b = await page(2);
    expect(b.body.items.map((i: any) => i.title)).toEqual(['B moved a lead']);
  });

  it('returns every row exactly once across pages while new rows are being inserted', async () => {
    ctx = await startWorld({ sim: false, clock: 'manual' });
    const clock = ctx.clock;
    for (let i = 0; i < 95; i++) {
      if (i % 3 === 0) clock.advance(1000); // several rows share a timestamp: the id breaks ties
      ctx.m.activity.services.activity.write({ accountId: 7, type: 'agent.reply', title: `row ${i}` });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let n = 0;
    do {
      const q: string = `?limit=10${cursor ? `&cursor=${cursor}` : ''}`;
      const { status, body } = await page(7, q);
      expect(status).toBe(200);
      seen.push(...body.items.map((i: any) => i.title));
      cursor = body.nextCursor;
      // meanwhile, new activity arrives (newer than anything being paged)
      clock.advance(10);
      ctx.m.activity.services.activity.write({ accountId: 7, type: 'agent.reply', title: `new ${n++}` });
    } while (cursor);
    const original = seen.filter((t) => t.startsWith('row '));
    expect(new Set(seen).size).toBe(seen.length);
    expect(original).toHaveLength(95);
    expect(original).toEqual([...Array(95).keys()].reverse().map((i) => `row ${i}`)); // newest first, stable
  });

  it('filters by type, agent, lead and date range', async () => {
    ctx = await startWorld({ sim: false, clock: 'manual' });
    const clock = ctx.clock;
    const t0 = clock.now();
    ctx.m.activity.services.activity.write({ accountId: 3, type: 'agent.reply', title: 'r1', agentId: 5, leadId: 100 });
    clock.advance(60_000);
    ctx.m.activity.services.activity.write({ accountId: 3, type: 'agent.action', title: 'a1', agentId: 6, leadId: 100 });
    clock.advance(60_000);
    ctx.m.activity.services.activity.write({ accountId: 3, type: 'lead.status', title: 's1', leadId: 200 });
    const titles = async (q: string) => (await page(3, q)).body.items.map((i: any) => i.title);
    expect(await titles('?type=agent.reply,agent.action')).toEqual(['a1', 'r1']);
    expect(await titles('?agentId=6')).toEqual(['a1']);
    expect(await titles('?leadId=100')).toEqual(['a1', 'r1']);
    expect(await titles(`?from=${new Date(t0 + 30_000).toISOString()}&to=${new Date(t0 + 90_000).toISOString()}`)).toEqual(['a1']);
  });

  it('refuses a limit over 100 and a forged cursor, naming the field', async () => {
    ctx = await startWorld({ sim: false });
    const big = await page(1, '?limit=500');
    expect(big.status).toBe(400);
    expect(big.body.errors).toEqual([expect.objectContaining({ field: 'limit' })]);
    const bad = await page(1, '?cursor=zzz');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('cursor');
  });
});
