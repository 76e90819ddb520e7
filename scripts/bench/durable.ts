import { fmt, load, startServer } from './lib.js';
import type { Scenario } from './types.js';

/** The durable HTTP write path against the same server's bare GET /healthz, loaded in the same run. */
export async function durableScenario(durationSec = 5): Promise<Scenario[]> {
  const srv = await startServer();
  try {
    await load({ url: `${srv.base}/healthz`, durationSec: 1 }); // warm-up
    const bare = await load({ url: `${srv.base}/healthz`, durationSec, connections: 10 });
    const durable = await load({
      url: `${srv.base}/bench/durable`,
      method: 'POST',
      body: JSON.stringify({ lead: { id: 1, name: 'Bench lead', text: 'x'.repeat(200) } }),
      headers: { 'content-type': 'application/json' },
      durationSec,
      connections: 10,
    });
    const ratio = durable.rps / bare.rps;
    return [
      {
        name: 'HTTP durable write (row + job, one tx)',
        value: durable.rps,
        unit: 'req/s',
        baseline: bare.rps,
        baselineName: 'bare GET /healthz req/s',
        target: '≥ 2,000/s, p99 < 25 ms, ratio ≥ 0.25',
        pass: durable.rps >= 2000 && durable.p99 < 25 && ratio >= 0.25 && durable.errors === 0 && durable.non2xx === 0,
        extra: { p50_ms: durable.p50, p99_ms: durable.p99, bare_p99_ms: bare.p99, ratio: fmt(ratio, 2), errors: durable.errors + durable.non2xx },
      },
    ];
  } finally {
    await srv.stop();
  }
}
