import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const SCREENSHOT = 'docs/demo-lead-card.png';
const STEPS = [
  'backend up',
  'Kommo simulator up',
  'install',
  'sync done',
  'agent seeded and bound',
  'message 1 → agent reply delivered via Salesbot continue',
  'message 2 → task created and field changed in Kommo',
  'lead card API shows reply, actions with undo, activity',
  'emulated Kommo page up',
  'lead card rendered in Chromium',
];

/** `npm run demo -- --exit …` as a user runs it: a real child process, judged by its exit code and its step lines. */
function runDemo(args: string[], env: Record<string, string> = {}) {
  // Hermetic: the demo model (no key), free ports, no inherited fault switch.
  const { OPENAI_API_KEY: _key, PORT: _port, DEMO_PAGE_PORT: _page, DEMO_FAULT: _fault, ...rest } = process.env;
  const child = spawn('npm', ['run', '--silent', 'demo', '--', '--exit', ...args], { cwd: root, env: { ...rest, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise<{ code: number | null; steps: { ok: boolean; name: string; line: string }[]; stdout: string; stderr: string }>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => {
      const steps = stdout
        .split('\n')
        .filter((l) => /^[✓✗] /.test(l))
        .map((line) => ({ ok: line.startsWith('✓'), name: line.slice(2, line.indexOf(':')), line }));
      done({ code, steps, stdout, stderr });
    });
  });
}

describe('npm run demo -- --exit', () => {
  it('passes every step, from install to the lead card in Chromium, and saves the card for the README', async () => {
    const before = existsSync(resolve(root, SCREENSHOT)) ? statSync(resolve(root, SCREENSHOT)).mtimeMs : 0;
    const r = await runDemo(['--screenshot', SCREENSHOT]);
    const report = `${r.stdout}\n${r.stderr}`;
    expect(
      r.steps.map((s) => s.name),
      report,
    ).toEqual(STEPS);
    expect(
      r.steps.filter((s) => !s.ok).map((s) => s.line),
      report,
    ).toEqual([]);
    expect(r.code, report).toBe(0);
    expect(r.stdout).toMatch(/^all 10 steps passed/m);
    expect(r.steps.find((s) => s.name === 'sync done')!.line).toMatch(/no 429/);
    expect(r.steps.find((s) => s.name.startsWith('message 1'))!.line).toContain('[demo model]');
    expect(statSync(resolve(root, SCREENSHOT)).mtimeMs).toBeGreaterThan(before);
  }, 180_000);

  it('fails, and says where, when the agent is not bound to the stage (DEMO_FAULT=no-binding)', async () => {
    const r = await runDemo([], { DEMO_FAULT: 'no-binding' });
    const report = `${r.stdout}\n${r.stderr}`;
    expect(r.code, report).toBe(1);
    expect(
      r.steps.map((s) => s.name),
      report,
    ).toEqual(STEPS);
    const failed = r.steps.filter((s) => !s.ok).map((s) => s.name);
    expect(failed, report).toEqual(
      expect.arrayContaining(['agent seeded and bound', 'message 1 → agent reply delivered via Salesbot continue', 'lead card rendered in Chromium']),
    );
    expect(r.steps.find((s) => s.name.startsWith('message 1'))!.line).toMatch(/no_agent/);
    expect(r.stdout).toMatch(/^\d+ of 10 steps failed/m);
  }, 180_000);
});
