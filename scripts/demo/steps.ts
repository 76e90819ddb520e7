/**
 * The demo's report: one line per step, ✓ or ✗, with what was seen or why it failed. A step after a failed
 * critical step (nothing later can run without it) is reported as not run, never as passed.
 */
export interface StepLine {
  name: string;
  ok: boolean;
  detail: string;
}

export function createSteps(print: (line: string) => void) {
  const lines: StepLine[] = [];
  let blockedBy: string | null = null;
  const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

  /** Run `fn`; it returns the detail for the ✓ line and a value, or throws the reason for ✗. */
  async function step<T>(name: string, fn: () => Promise<{ detail: string; value?: T }>, opts: { critical?: boolean } = {}): Promise<T | undefined> {
    if (blockedBy) {
      record({ name, ok: false, detail: `not run: "${blockedBy}" failed` });
      return undefined;
    }
    const started = Date.now();
    try {
      const r = await fn();
      record({ name, ok: true, detail: `${r.detail} (${((Date.now() - started) / 1000).toFixed(1)} s)` });
      return r.value;
    } catch (err) {
      record({ name, ok: false, detail: err instanceof Error ? err.message : String(err) });
      if (opts.critical) blockedBy = name;
      return undefined;
    }
  }

  function record(l: StepLine) {
    lines.push(l);
    print(`${l.ok ? '✓' : '✗'} ${l.name}: ${oneLine(l.detail)}`);
  }

  return {
    step,
    lines,
    get failed() {
      return lines.filter((l) => !l.ok).length;
    },
  };
}

/** `text` cut to `n` characters on one line, for quoting replies in a step line. */
export const quote = (text: string, n = 70) => {
  const t = text.replace(/\s+/g, ' ').trim();
  return `"${t.length > n ? `${t.slice(0, n - 1)}…` : t}"`;
};
