import { describe, expect, it } from 'vitest';
import type { ChecklistItem } from '../contracts/checklist.ts';
import type { RunEvent } from '../contracts/events.ts';
import { EventJournal } from '../events/event-journal.ts';
import { RunChecklists } from './checklist-tool.ts';

function item(id: string, owner: string | null): ChecklistItem {
  return {
    id,
    title: id,
    capability: 'x',
    acceptance: 'y',
    dependsOn: [],
    priority: 3,
    files: [],
    owner,
    status: 'in_progress',
    evidence: null,
  };
}

describe('RunChecklists (the update_checklist_item tool)', () => {
  it('lets the owner report progress and a claim of done, leaving the verdict to verification', async () => {
    const events: RunEvent[] = [];
    const journal = new EventJournal({
      target: {
        write: async (batch) => {
          events.push(...batch.events);
          return [];
        },
      },
      clock: { now: () => 0 },
      flushIntervalMs: 0,
    });
    const run = journal.open('run-1', 0);
    const items = [item('item-1', 'coder'), item('item-2', 'writer')];
    const checklists = new RunChecklists();
    const unregister = checklists.register(run, items);
    const caller = { runId: 'run-1', agentId: 'coder', stepId: 's' };
    expect(
      await checklists.update({ itemId: 'item-1', status: 'done', evidence: 'tests pass' }, caller),
    ).toMatchObject({
      ok: true,
      status: 'in_progress',
    });
    expect(items[0]?.evidence).toBe('done: tests pass');
    expect(await checklists.update({ itemId: 'item-2', status: 'done' }, caller)).toEqual({
      error: 'item item-2 is worked by writer, not coder',
    });
    expect(await checklists.update({ itemId: 'item-9', status: 'done' }, caller)).toMatchObject({
      error: 'no item "item-9"',
    });
    await run.flush();
    expect(events.map((event) => event.type)).toEqual(['checklist.updated']);
    unregister();
    expect(await checklists.update({ itemId: 'item-1', status: 'done' }, caller)).toMatchObject({
      error: expect.stringContaining('no checklist'),
    });
  });
});
