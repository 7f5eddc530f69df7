import type { RunEvent } from '@aether/core';
import { Redis } from 'ioredis';

/** Receives a run's stored events as they are published. */
export type RunEventHandler = (event: RunEvent) => void;

/**
 * Live events of runs, across the processes of a deployment, and cancel requests for the
 * runs they execute. Events are published only after they are stored (the journal's
 * `subscribe` gives exactly those), so a follower that also reads the database misses
 * nothing: see `followRun`.
 */
export interface EventBus {
  /** Follows a run's events; resolves once the subscription is in place (so nothing published after is missed). */
  subscribe(runId: string, handler: RunEventHandler): Promise<() => void>;
  /** Publishes a stored event to every follower of its run, in any process. */
  publish(event: RunEvent): void;
  /** Asks whichever process executes `runId` to cancel it. */
  requestCancel(runId: string): Promise<void>;
  /** Calls `handler` with each cancel request (workers listen). Returns an unsubscribe. */
  onCancel(handler: (runId: string) => void): Promise<() => void>;
  /** Followers in this process, over all runs. */
  subscriberCount(): number;
  close(): Promise<void>;
}

/** The in-process bus of the embedded mode. */
export function createLocalEventBus(): EventBus {
  const followers = new Map<string, Set<RunEventHandler>>();
  const cancelHandlers = new Set<(runId: string) => void>();
  let count = 0;
  return {
    async subscribe(runId, handler) {
      let set = followers.get(runId);
      if (set === undefined) {
        set = new Set();
        followers.set(runId, set);
      }
      const entry: RunEventHandler = (event) => handler(event);
      set.add(entry);
      count++;
      return () => {
        if (set.delete(entry)) count--;
        if (set.size === 0) followers.delete(runId);
      };
    },
    publish(event) {
      deliver(followers.get(event.runId), event);
    },
    async requestCancel(runId) {
      for (const handler of cancelHandlers) handler(runId);
    },
    async onCancel(handler) {
      cancelHandlers.add(handler);
      return () => cancelHandlers.delete(handler);
    },
    subscriberCount: () => count,
    async close() {
      followers.clear();
      cancelHandlers.clear();
    },
  };
}

/** The channel of a run's events. */
export function runChannel(runId: string): string {
  return `aether:run:${runId}`;
}

/** The channel of cancel requests. */
export const CANCEL_CHANNEL = 'aether:cancel';

/**
 * The bus of the distributed mode: Redis pub/sub, one channel per run (`aether:run:<id>`),
 * subscribed while this process has followers of that run. One connection publishes, one
 * subscribes.
 */
export function createRedisEventBus(url: string): EventBus {
  const publisher = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  const subscriber = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  publisher.on('error', () => {});
  subscriber.on('error', () => {});
  const followers = new Map<string, Set<RunEventHandler>>();
  const pending = new Map<string, Promise<unknown>>();
  const cancelHandlers = new Set<(runId: string) => void>();
  let count = 0;
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === CANCEL_CHANNEL) {
      for (const handler of cancelHandlers) handler(message);
      return;
    }
    const runId = channel.slice('aether:run:'.length);
    const set = followers.get(runId);
    if (set === undefined) return;
    let event: RunEvent;
    try {
      event = JSON.parse(message) as RunEvent;
    } catch {
      return;
    }
    deliver(set, event);
  });
  return {
    async subscribe(runId, handler) {
      let set = followers.get(runId);
      if (set === undefined) {
        set = new Set();
        followers.set(runId, set);
        pending.set(runId, subscriber.subscribe(runChannel(runId)));
      }
      const entry: RunEventHandler = (event) => handler(event);
      set.add(entry);
      count++;
      await pending.get(runId);
      return () => {
        if (!set.delete(entry)) return;
        count--;
        if (set.size === 0 && followers.get(runId) === set) {
          followers.delete(runId);
          pending.delete(runId);
          subscriber.unsubscribe(runChannel(runId)).catch(() => {});
        }
      };
    },
    publish(event) {
      publisher.publish(runChannel(event.runId), JSON.stringify(event)).catch(() => {});
    },
    async requestCancel(runId) {
      await publisher.publish(CANCEL_CHANNEL, runId);
    },
    async onCancel(handler) {
      if (cancelHandlers.size === 0) await subscriber.subscribe(CANCEL_CHANNEL);
      cancelHandlers.add(handler);
      return () => cancelHandlers.delete(handler);
    },
    subscriberCount: () => count,
    async close() {
      followers.clear();
      cancelHandlers.clear();
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}

function deliver(set: ReadonlySet<RunEventHandler> | undefined, event: RunEvent): void {
  if (set === undefined) return;
  for (const handler of set) {
    try {
      handler(event);
    } catch {
      // One follower failing (a closed socket) must not stop the others.
    }
  }
}
