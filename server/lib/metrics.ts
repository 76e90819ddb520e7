/**
 * A small Prometheus registry: counters and histograms kept in memory, gauges computed at scrape time.
 * Enough for requests by route and status, job outcomes and latency, and queue lag.
 */
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

type Labels = Record<string, string>;

class Histogram {
  readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  observe(labels: Labels, value: number) {
    const key = JSON.stringify(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (value <= BUCKETS[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
}

const fmt = (labels: Labels) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

export class Metrics {
  private readonly counters = new Map<string, { help: string; series: Map<string, { labels: Labels; value: number }> }>();
  private readonly histograms = new Map<string, { help: string; h: Histogram }>();
  private readonly gauges: { name: string; help: string; collect: () => { labels: Labels; value: number }[] }[] = [];

  inc(name: string, help: string, labels: Labels, by = 1) {
    let c = this.counters.get(name);
    if (!c) {
      c = { help, series: new Map() };
      this.counters.set(name, c);
    }
    const key = JSON.stringify(labels);
    const s = c.series.get(key);
    if (s) s.value += by;
    else c.series.set(key, { labels, value: by });
  }

  observe(name: string, help: string, labels: Labels, seconds: number) {
    let h = this.histograms.get(name);
    if (!h) {
      h = { help, h: new Histogram() };
      this.histograms.set(name, h);
    }
    h.h.observe(labels, seconds);
  }

  gauge(name: string, help: string, collect: () => { labels: Labels; value: number }[]) {
    this.gauges.push({ name, help, collect });
  }

  observeRequest(method: string, route: string, status: number, seconds: number) {
    const labels = { method, route, status: String(status) };
    this.inc('http_requests_total', 'HTTP requests by route and status', labels);
    this.observe('http_request_duration_seconds', 'HTTP request duration', { method, route }, seconds);
  }

  observeJob(queue: string, outcome: string, runSeconds: number, waitSeconds: number) {
    this.inc('jobs_processed_total', 'Job runs by queue and outcome', { queue, outcome });
    this.observe('job_run_duration_seconds', 'Time a job handler ran', { queue }, runSeconds);
    this.observe('job_wait_duration_seconds', 'Time from a job being due to it starting (latency)', { queue }, waitSeconds);
  }

  render(): string {
    const out: string[] = [];
    for (const [name, c] of this.counters) {
      out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      for (const s of c.series.values()) out.push(`${name}${fmt(s.labels)} ${s.value}`);
    }
    for (const [name, { help, h }] of this.histograms) {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      for (const s of h.series.values()) {
        for (const [i, b] of BUCKETS.entries()) out.push(`${name}_bucket${fmt({ ...s.labels, le: String(b) })} ${s.counts[i]}`);
        out.push(`${name}_bucket${fmt({ ...s.labels, le: '+Inf' })} ${s.count}`);
        out.push(`${name}_sum${fmt(s.labels)} ${s.sum}`, `${name}_count${fmt(s.labels)} ${s.count}`);
      }
    }
    for (const g of this.gauges) {
      out.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`);
      for (const s of g.collect()) out.push(`${g.name}${fmt(s.labels)} ${s.value}`);
    }
    return `${out.join('\n')}\n`;
  }
}
