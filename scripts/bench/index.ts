/**
 * `npm run bench`: every figure beside a baseline measured in the same run (machines here are noisy,
 * so the ratio is what to compare). Prints a table and writes bench/results.json.
 * `npm run bench -- queue durable` runs only the named scenarios.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { durableScenario } from './durable.js';
import { fmt } from './lib.js';
import { queueScenario } from './queue.js';
import { extraScenarios } from './registry.js';
import type { Scenario } from './types.js';

const all: Record<string, () => Promise<Scenario[]>> = {
  queue: () => queueScenario(),
  durable: () => durableScenario(),
  ...extraScenarios,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
// Subsets of another scenario (named `<scenario>-<part>`) run only when asked for by name.
const isPart = (n: string) => n.includes('-') && n.split('-')[0]! in all;
const names = wanted.length ? wanted : Object.keys(all).filter((n) => !isPart(n));
const results: Scenario[] = [];
for (const name of names) {
  const run = all[name];
  if (!run) {
    console.error(`unknown scenario ${name}; known: ${Object.keys(all).join(', ')}`);
    process.exit(2);
  }
  process.stderr.write(`running ${name}…\n`);
  results.push(...(await run()));
}

const rows = results.map((r) => ({
  scenario: r.name,
  value: `${fmt(r.value, r.value < 100 ? 2 : 0)} ${r.unit}`,
  baseline: r.baseline !== undefined ? `${fmt(r.baseline, r.baseline < 100 ? 2 : 0)} (${r.baselineName})` : '',
  ratio: r.baseline ? fmt(r.value / r.baseline, 2) : '',
  target: r.target,
  ok: r.pass ? 'yes' : 'NO',
  details: r.extra
    ? Object.entries(r.extra)
        .map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v, 1) : v}`)
        .join(' ')
    : '',
}));
console.table(rows);
mkdirSync('bench', { recursive: true });
// Keep figures of scenarios not run this time; replace the ones that were.
const previous: Scenario[] = existsSync('bench/results.json') ? (JSON.parse(readFileSync('bench/results.json', 'utf8')).results ?? []) : [];
const merged = [...previous.filter((p) => !results.some((r) => r.name === p.name)), ...results.map((r) => ({ ...r, at: new Date().toISOString() }))];
writeFileSync(
  'bench/results.json',
  JSON.stringify({ at: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, results: merged }, null, 2) +
    '\n',
);
console.log('wrote bench/results.json');
