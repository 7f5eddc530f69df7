import { Gauge, Registry } from 'prom-client';
import type { ServerContext } from '../app/server-context.ts';

/**
 * The Prometheus registry of `/metrics`: runs by status and model calls and tokens by
 * provider (over all tenants, read at scrape time through SECURITY DEFINER functions that
 * return sums only), queue depth, and the event-stream subscribers of this process.
 */
export function createMetrics(context: ServerContext): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'aether_runs',
    help: 'Runs by status, all tenants.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [status, count] of Object.entries(await context.accounts.runStatusCounts()))
        this.set({ status }, count ?? 0);
    },
  });
  // One query per scrape feeds both gauges (prom-client collects them concurrently).
  let usage: ReturnType<typeof context.accounts.usageByProvider> | undefined;
  const usageOnce = () => {
    usage ??= context.accounts.usageByProvider().finally(() => setImmediate(() => (usage = undefined)));
    return usage;
  };
  new Gauge({
    name: 'aether_model_calls_total',
    help: 'Model calls by provider, all tenants.',
    labelNames: ['provider'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await usageOnce()) this.set({ provider: row.provider }, row.calls);
    },
  });
  new Gauge({
    name: 'aether_model_tokens_total',
    help: 'Model tokens by provider and direction, all tenants.',
    labelNames: ['provider', 'direction'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await usageOnce()) {
        this.set({ provider: row.provider, direction: 'input' }, row.inputTokens);
        this.set({ provider: row.provider, direction: 'output' }, row.outputTokens);
      }
    },
  });
  new Gauge({
    name: 'aether_queue_depth',
    help: 'Run jobs waiting for a worker.',
    registers: [registry],
    async collect() {
      this.set(await context.queue.depth());
    },
  });
  new Gauge({
    name: 'aether_event_stream_subscribers',
    help: 'Open run event streams (SSE, WebSocket, GraphQL) in this process.',
    registers: [registry],
    collect() {
      this.set(context.bus.subscriberCount());
    },
  });
  return registry;
}
