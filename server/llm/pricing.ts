/** USD per million tokens (input, output). Unknown models are priced like gpt-4o-mini: an estimate, shown as such. */
const PRICES: Record<string, [number, number]> = {
  'gpt-4o-mini': [0.15, 0.6],
  'gpt-4o': [2.5, 10],
  'gpt-4.1': [2, 8],
  'gpt-4.1-mini': [0.4, 1.6],
  'gpt-4.1-nano': [0.1, 0.4],
  'gpt-5': [1.25, 10],
  'gpt-5-mini': [0.25, 2],
  'gpt-5-nano': [0.05, 0.4],
};

export function estimateCostUsd(model: string, promptTokens: number, completionTokens: number): number {
  const key = Object.keys(PRICES)
    .filter((k) => model === k || model.startsWith(`${k}-`))
    .sort((a, b) => b.length - a.length)[0];
  const [inp, out] = PRICES[key ?? 'gpt-4o-mini']!;
  return Math.round(((promptTokens * inp + completionTokens * out) / 1e6) * 1e6) / 1e6;
}
