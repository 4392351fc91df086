/**
 * The prediction service's Prometheus metrics (prom-client, one registry per service, so that two
 * services in one process never share counters): requests and their latency per route, model, version
 * and status class; rows predicted; the event log's backlog and size, read when scraped.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventLogStats } from '../store/event-store.js';

/** Latency buckets in seconds: fine below 10 ms, where a single-row prediction lands. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface ServiceMetrics {
  registry: Registry;
  /** Records one answered request. */
  observe(route: string, model: string, version: string, status: number, seconds: number, rows: number): void;
}

/** Creates the metrics; `logStats` is read at each scrape. */
export function createServiceMetrics(logStats: () => EventLogStats | undefined): ServiceMetrics {
  const registry = new Registry();
  const labelNames = ['route', 'model', 'version', 'status'] as const;
  const requests = new Counter({ name: 'mlcycle_serve_requests_total', help: 'Requests answered, by route, model, version and status code.', labelNames, registers: [registry] });
  const errors = new Counter({ name: 'mlcycle_serve_errors_total', help: 'Requests answered with a 4xx or 5xx status.', labelNames, registers: [registry] });
  const latency = new Histogram({ name: 'mlcycle_serve_request_duration_seconds', help: 'Time from request to response, by route, model and version.', labelNames: ['route', 'model', 'version'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const rows = new Counter({ name: 'mlcycle_serve_predicted_rows_total', help: 'Rows predicted.', labelNames: ['model', 'version'], registers: [registry] });
  new Gauge({
    name: 'mlcycle_event_log_pending_records',
    help: 'Records handed to the event log and not yet acknowledged (its lag).',
    registers: [registry],
    collect() {
      this.set(logStats()?.pending ?? 0);
    },
  });
  new Gauge({
    name: 'mlcycle_event_log_bytes',
    help: 'Bytes of the event log on disk.',
    registers: [registry],
    collect() {
      this.set(logStats()?.bytes ?? 0);
    },
  });
  new Gauge({
    name: 'mlcycle_event_log_files',
    help: 'Files of the event log (open segments and sealed Parquet files).',
    registers: [registry],
    collect() {
      this.set(logStats()?.files ?? 0);
    },
  });
  // Children by label values, so that a request costs a map lookup rather than a label hash.
  const children = new Map<string, { requests: ReturnType<typeof requests.labels>; errors: ReturnType<typeof errors.labels>; latency: ReturnType<typeof latency.labels>; rows: ReturnType<typeof rows.labels> }>();
  return {
    registry,
    observe(route, model, version, status, seconds, count) {
      const key = `${route}\u0000${model}\u0000${version}\u0000${status}`;
      let child = children.get(key);
      if (child === undefined) {
        const labels = { route, model, version, status: String(status) };
        child = { requests: requests.labels(labels), errors: errors.labels(labels), latency: latency.labels({ route, model, version }), rows: rows.labels({ model, version }) };
        children.set(key, child);
      }
      child.requests.inc();
      if (status >= 400) child.errors.inc();
      child.latency.observe(seconds);
      if (count > 0) child.rows.inc(count);
    },
  };
}
