import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeOpenAI, startAgentWorld, type AgentWorld } from '../agents/helpers.js';
import { widgetToken } from '../helpers/tokens.js';

const llm = fakeOpenAI();
beforeAll(() => llm.listen());
afterAll(() => llm.server.close());

let w: AgentWorld | undefined;
let page: Server | undefined;
afterEach(async () => {
  llm.reset();
  await w?.stop();
  w = undefined;
  await new Promise((ok) => (page ? page.close(ok) : ok(undefined)));
  page = undefined;
});

const fixture = (name: string) => readFileSync(resolve(import.meta.dirname, '../fixtures/knowledge', name)).toString('base64');
const RED_GADGET_ROW = 'Product: Red Gadget; Price: 249.00; Currency: USD; Notes: Includes installation';

async function newAgent(world: AgentWorld, name: string): Promise<number> {
  const r = await world.api('POST', '/api/agents', { name });
  expect(r.status).toBe(201);
  return r.body.id;
}

/** A widget call in the language of the admin's browser. */
async function apiIn(world: AgentWorld, lang: string, method: string, path: string, body: unknown) {
  const res = await world.app.request(path, {
    method,
    headers: {
      'x-auth-token': widgetToken({ accountId: world.accountId }, { nowSec: Math.floor(world.clock.now() / 1000), aud: world.baseUrl }),
      'content-type': 'application/json',
      'accept-language': lang,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** A loopback web server for URL imports; records every request it gets. */
async function servePage(routes: Record<string, { type: string; body: string } | { redirect: string }>) {
  const hits: string[] = [];
  page = createServer((req, res) => {
    hits.push(req.url ?? '');
    const r = routes[req.url ?? ''];
    if (!r) return void res.writeHead(404).end('not here');
    if ('redirect' in r) return void res.writeHead(302, { location: r.redirect }).end();
    res.writeHead(200, { 'content-type': r.type }).end(r.body);
  });
  await new Promise<void>((ok) => page!.listen(0, '127.0.0.1', ok));
  return { base: `http://127.0.0.1:${(page.address() as AddressInfo).port}`, hits };
}

describe('uploads', () => {
  it('a PDF, a DOCX, a CSV and an XLSX price list become knowledge, and a price question retrieves exactly that row', async () => {
    w = await startAgentWorld();
    const agent = await newAgent(w, 'Ava');
    const up = (fileName: string) => w!.api('POST', '/api/knowledge/upload', { fileName, contentBase64: fixture(fileName), agentIds: [agent] });

    const pdf = await up('warranty.pdf');
    expect(pdf.status).toBe(201);
    expect(pdf.body).toMatchObject({ kind: 'file', title: 'warranty', source: 'warranty.pdf', status: 'ready', agentIds: [agent] });
    expect(pdf.body.content).toContain('two-year warranty from the date of delivery');
    const docx = await up('onboarding.docx');
    expect(docx.status).toBe(201);
    expect(docx.body.content).toContain('three training sessions for the whole team');
    const csv = await up('price-list.csv');
    expect(csv.status).toBe(201);
    expect(csv.body).toMatchObject({ kind: 'table', source: 'price-list.csv' });
    const xlsx = await up('price-list.xlsx');
    expect(xlsx.status).toBe(201);
    expect(xlsx.body.content).toContain('Product: Red Gadget; Price: 249; Currency: USD');
    // one chunk per row: six products, six chunks
    expect(w.count('SELECT count(*) n FROM knowledge_chunks WHERE entry_id = ?', csv.body.id)).toBe(6);

    const search = (q: string) => w!.m.knowledge.services.knowledge.search(w!.accountId, agent, q);
    expect(search('How long is the warranty on hardware?')[0]).toMatchObject({ entryId: pdf.body.id });
    expect(search('When are the training sessions?')[0]).toMatchObject({ entryId: docx.body.id });
    const price = search('How much does the Red Gadget cost?');
    expect(price[0]!.text).toMatch(/^Product: Red Gadget; Price: 249(\.00)?; Currency: USD; Notes: Includes installation$/);
    expect(
      price
        .slice(0, 2)
        .map((h) => h.entryId)
        .sort(),
    ).toEqual([csv.body.id, xlsx.body.id].sort());
    expect(price.slice(0, 2).every((h) => h.text.startsWith('Product: Red Gadget;'))).toBe(true);

    // the playground shows the admin which chunks the model was given
    llm.reply({ content: 'The Red Gadget costs $249.00, installation included.' });
    const run = await w.api('POST', `/api/agents/${agent}/playground`, { message: 'How much does the Red Gadget cost?' });
    expect(run.status).toBe(200);
    expect(run.body.reply).toBe('The Red Gadget costs $249.00, installation included.'); // the price is in the knowledge: not replaced
    expect(run.body.retrieved[0]).toEqual({
      chunkId: expect.any(Number),
      entryId: expect.any(Number),
      title: 'price-list',
      text: expect.stringMatching(/^Product: Red Gadget;/),
    });
    expect(llm.requests[0].messages.map((m: { content: string }) => m.content).join('\n')).toContain(RED_GADGET_ROW);
  });

  it('refuses a file that is not what its name says, a type it cannot read, and a non-admin', async () => {
    w = await startAgentWorld();
    const renamed = await w.api('POST', '/api/knowledge/upload', { fileName: 'prices.pdf', contentBase64: fixture('onboarding.docx') });
    expect(renamed.status).toBe(422);
    expect(renamed.body.errors).toEqual([{ field: 'contentBase64', message: 'cannot be read: the file is not a PDF file' }]);
    const txt = await w.api('POST', '/api/knowledge/upload', { fileName: 'notes.txt', contentBase64: 'aGVsbG8=' });
    expect(txt.status).toBe(422);
    expect(txt.body.errors[0].field).toBe('fileName');
    const user = await w.api('POST', '/api/knowledge/upload', { fileName: 'price-list.csv', contentBase64: fixture('price-list.csv') }, { isAdmin: false });
    expect(user.status).toBe(403);
    expect(w.count('SELECT count(*) n FROM knowledge_entries')).toBe(0);
  });

  it('refuses a file over KNOWLEDGE_UPLOAD_MAX_BYTES, naming the field', async () => {
    w = await startAgentWorld({ env: { KNOWLEDGE_UPLOAD_MAX_BYTES: '1024' } });
    const big = await w.api('POST', '/api/knowledge/upload', {
      fileName: 'big.csv',
      contentBase64: Buffer.from(`a,b\n${'x,1\n'.repeat(400)}`).toString('base64'),
    });
    expect(big.status).toBe(422);
    expect(big.body.errors).toEqual([{ field: 'contentBase64', message: 'is larger than 1 KB' }]);
    expect((await w.api('POST', '/api/knowledge/upload', { fileName: 'price-list.csv', contentBase64: fixture('price-list.csv') })).status).toBe(201);
  });
});

describe('edit in place and share', () => {
  it('PATCH edits an entry and its index; a shared entry is retrieved for two agents and outlives one of them', async () => {
    w = await startAgentWorld();
    const ava = await newAgent(w, 'Ava');
    const bob = await newAgent(w, 'Bob');
    const created = await w.api('POST', '/api/knowledge', {
      kind: 'text',
      title: 'Shipping',
      content: 'We ship hardware worldwide in 5 days.',
      agentIds: [ava, bob],
    });
    expect(created.status).toBe(201);
    expect(created.body.agentIds).toEqual([ava, bob]);
    const id = created.body.id;
    const search = (agent: number, q: string) => w!.m.knowledge.services.knowledge.search(w!.accountId, agent, q);
    expect(search(ava, 'shipping worldwide')[0]).toMatchObject({ entryId: id });
    expect(search(bob, 'shipping worldwide')[0]).toMatchObject({ entryId: id });
    expect((await w.api('GET', `/api/agents/${bob}/knowledge`)).body.items.map((e: { id: number }) => e.id)).toEqual([id]);

    const edited = await w.api('PATCH', `/api/knowledge/${id}`, { content: 'Express courier delivery takes 2 days.' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id, title: 'Shipping', content: 'Express courier delivery takes 2 days.', agentIds: [ava, bob] });
    expect(search(ava, 'worldwide')).toEqual([]);
    expect(search(bob, 'courier')[0]).toMatchObject({ entryId: id, text: 'Express courier delivery takes 2 days.' });
    // the edit is in the configuration audit, with the text cut short
    const audit = w.activity('config.changed').map((a: { title: string; metadata: string }) => ({ title: a.title, meta: JSON.parse(a.metadata) }));
    expect(audit.map((a: { title: string }) => a.title)).toEqual([
      expect.stringMatching(/^Agent "Ava" created/),
      expect.stringMatching(/^Agent "Bob" created/),
      expect.stringMatching(/^Knowledge entry "Shipping" created/),
      expect.stringMatching(/^Knowledge entry "Shipping" changed/),
    ]);
    expect(audit[3]!.meta.changes).toEqual([{ field: 'content', from: 'We ship hardware worldwide in 5 days.', to: 'Express courier delivery takes 2 days.' }]);

    // no longer shared with Ava
    expect((await w.api('PATCH', `/api/knowledge/${id}`, { agentIds: [bob] })).body.agentIds).toEqual([bob]);
    expect(search(ava, 'courier')).toEqual([]);
    expect(search(bob, 'courier')).toHaveLength(1);

    const bad = await w.api('PATCH', `/api/knowledge/${id}`, { agentIds: [bob, 99_999] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([{ field: 'agentIds', message: expect.stringContaining('99999') }]);
    expect((await w.api('PATCH', `/api/knowledge/${id}`, {})).status).toBe(422);
    expect((await w.api('PATCH', `/api/knowledge/${id}`, { title: 'x' }, { isAdmin: false })).status).toBe(403);
    expect((await w.api('PATCH', `/api/knowledge/${id}`, { title: 'x' }, { accountId: 999 })).status).toBe(404);

    // an FAQ is edited by its question and answer
    const faq = await w.api('POST', `/api/agents/${ava}/knowledge`, { kind: 'faq', title: 'Refunds', question: 'Refund?', answer: 'Within 30 days.' });
    const faqEdit = await w.api('PATCH', `/api/knowledge/${faq.body.id}`, { answer: 'Within 60 days.' });
    expect(faqEdit.body).toMatchObject({ question: 'Refund?', answer: 'Within 60 days.', content: 'Q: Refund?\nA: Within 60 days.' });
    expect(search(ava, 'refund')[0]!.text).toBe('Q: Refund?\nA: Within 60 days.');

    // the entry belongs to the account: deleting an agent unshares it, it does not delete it
    await w.api('PATCH', `/api/knowledge/${id}`, { agentIds: [ava, bob] });
    expect((await w.api('DELETE', `/api/agents/${ava}`)).status).toBe(204);
    expect((await w.api('GET', `/api/knowledge/${id}`)).body.agentIds).toEqual([bob]);
    expect(search(bob, 'courier')).toHaveLength(1);
  });
});

describe('URL import', () => {
  const article = `<html><head><title>Delivery FAQ</title></head><body><nav>Home | Shop</nav>
    <h1>Delivery</h1><p>Pallets are delivered by freight within 7 business days.</p>
    <script>var tracking = 1;</script><footer>© Shop</footer></body></html>`;

  it('imports a loopback page with the operator switch: a job fetches it, converts it and indexes it', async () => {
    w = await startAgentWorld({ env: { KNOWLEDGE_ALLOW_PRIVATE_HOSTS: '1', KNOWLEDGE_URL_MAX_BYTES: '4096' } });
    const agent = await newAgent(w, 'Ava');
    const { base, hits } = await servePage({
      '/old': { redirect: '/delivery' },
      '/delivery': { type: 'text/html; charset=utf-8', body: article },
      '/huge': { type: 'text/html', body: `<p>${'word '.repeat(2000)}</p>` },
    });

    const r = await w.api('POST', '/api/knowledge/import-url', { url: `${base}/old`, agentIds: [agent] });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ kind: 'url', status: 'pending', source: `${base}/old`, agentIds: [agent] });
    expect(hits).toEqual([]); // fetched by the job, not the request
    await w.drain();

    const e = (await w.api('GET', `/api/knowledge/${r.body.id}`)).body;
    expect(e).toMatchObject({ status: 'ready', title: 'Delivery FAQ' });
    expect(e.content).toContain('Pallets are delivered by freight within 7 business days.');
    expect(e.content).not.toMatch(/Home \| Shop|tracking|© Shop/);
    expect(hits).toEqual(['/old', '/delivery']);
    expect(w.m.knowledge.services.knowledge.search(w.accountId, agent, 'how are pallets delivered?')[0]).toMatchObject({
      entryId: r.body.id,
      title: 'Delivery FAQ',
    });

    // a page over KNOWLEDGE_URL_MAX_BYTES is refused, not cut
    const huge = await w.api('POST', '/api/knowledge/import-url', { url: `${base}/huge` });
    await w.drain();
    expect((await w.api('GET', `/api/knowledge/${huge.body.id}`)).body).toMatchObject({
      status: 'failed',
      error: 'the page is larger than 4096 bytes',
      content: '',
    });
    expect(w.count('SELECT count(*) n FROM knowledge_chunks WHERE entry_id = ?', huge.body.id)).toBe(0);

    // a page that is not there fails the entry with the reason, without retrying
    const missing = await w.api('POST', '/api/knowledge/import-url', { url: `${base}/gone`, title: 'Gone' });
    await w.drain();
    expect((await w.api('GET', `/api/knowledge/${missing.body.id}`)).body).toMatchObject({ status: 'failed', error: 'the page answered 404', title: 'Gone' });
    // text typed over the failed import makes it an ordinary entry
    const fixed = await w.api('PATCH', `/api/knowledge/${missing.body.id}`, { content: 'Pallets can also be collected from the warehouse.' });
    expect(fixed.body).toMatchObject({ status: 'ready', content: 'Pallets can also be collected from the warehouse.' });
    expect(fixed.body.error).toBeUndefined();
  });

  it('is refused without the switch (422 naming url) and no connection is made; metadata and http are refused too', async () => {
    w = await startAgentWorld();
    const { base, hits } = await servePage({ '/delivery': { type: 'text/html', body: article } });
    const loop = await w.api('POST', '/api/knowledge/import-url', { url: `${base.replace('http:', 'https:')}/delivery` });
    expect(loop.status).toBe(422);
    expect(loop.body).toMatchObject({
      status: 422,
      code: 'VALIDATION_FAILED',
      requestId: expect.any(String),
      errors: [{ field: 'url', message: expect.stringContaining('loopback') }],
    });
    const http = await w.api('POST', '/api/knowledge/import-url', { url: `${base}/delivery` });
    expect(http.body.errors).toEqual([{ field: 'url', message: 'must be an https:// URL' }]);
    const metadata = await w.api('POST', '/api/knowledge/import-url', { url: 'https://169.254.169.254/latest/meta-data/' });
    expect(metadata.body.errors).toEqual([{ field: 'url', message: expect.stringContaining('metadata') }]);
    expect((await w.api('POST', '/api/knowledge/import-url', { url: 'not a url' })).body.errors[0].field).toBe('url');
    // a name is resolved first: localhost is refused like 127.0.0.1
    const named = await w.api('POST', '/api/knowledge/import-url', { url: `https://localhost:${new URL(base).port}/delivery` });
    expect(named.body.errors).toEqual([{ field: 'url', message: expect.stringContaining('loopback') }]);
    expect(hits).toEqual([]);
    expect(w.count('SELECT count(*) n FROM knowledge_entries')).toBe(0);
    expect(w.count("SELECT count(*) n FROM jobs WHERE queue = 'knowledge.import_url'")).toBe(0);
  });

  it("says why in the admin's language: a refused URL at once, a failed import in the entry", async () => {
    w = await startAgentWorld();
    const es = await apiIn(w, 'es-ES,es;q=0.9', 'POST', '/api/knowledge/import-url', { url: 'https://127.0.0.1/x' });
    expect(es.status).toBe(422);
    expect(es.body.errors).toEqual([{ field: 'url', message: 'no se puede importar: 127.0.0.1 es una dirección loopback' }]);
    const ru = await apiIn(w, 'ru-RU', 'POST', '/api/knowledge/upload', { fileName: 'notes.txt', contentBase64: 'aGVsbG8=' });
    expect(ru.body.errors).toEqual([{ field: 'fileName', message: 'должен быть файлом .pdf, .docx, .csv или .xlsx' }]);
    await w.stop();

    w = await startAgentWorld({ env: { KNOWLEDGE_ALLOW_PRIVATE_HOSTS: '1' } });
    const { base } = await servePage({});
    const pt = await apiIn(w, 'pt-BR', 'POST', '/api/knowledge/import-url', { url: `${base}/missing` });
    expect(pt.status).toBe(202);
    await w.drain();
    expect((await w.api('GET', `/api/knowledge/${pt.body.id}`)).body).toMatchObject({ status: 'failed', error: 'a página respondeu 404' });
  });

  it('with the switch, cloud metadata addresses stay refused', async () => {
    w = await startAgentWorld({ env: { KNOWLEDGE_ALLOW_PRIVATE_HOSTS: '1' } });
    const r = await w.api('POST', '/api/knowledge/import-url', { url: 'http://169.254.169.254/latest/meta-data/' });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([{ field: 'url', message: expect.stringContaining('metadata') }]);
  });
});
