import type { ChecklistItem } from '../contracts/checklist.ts';
import type { JsonValue } from '../contracts/json.ts';
import type { RunJournal } from '../events/event-journal.ts';
import type {
  ChecklistItemUpdateStatus,
  ChecklistUpdater,
  OwnToolCaller,
} from '../tools/aether-tools-server.ts';

interface RunChecklist {
  journal: RunJournal;
  items: ChecklistItem[];
}

/**
 * The runs whose checklists agents may report on, for Aether's own `update_checklist_item`
 * tool (one tool server per process, many runs). A run registers its items while it executes.
 * An agent reports only on an item it owns; "done" is recorded as its claim with the
 * evidence, and the item is marked done only by verification.
 */
export class RunChecklists implements ChecklistUpdater {
  readonly #runs = new Map<string, RunChecklist>();

  /** Makes a run's items reachable by the tool; returns the function that removes them. */
  register(journal: RunJournal, items: ChecklistItem[]): () => void {
    this.#runs.set(journal.runId, { journal, items });
    return () => this.#runs.delete(journal.runId);
  }

  async update(
    input: { itemId: string; status: ChecklistItemUpdateStatus; evidence?: string },
    caller: OwnToolCaller,
  ): Promise<JsonValue> {
    const run = this.#runs.get(caller.runId);
    if (run === undefined) return { error: 'this run has no checklist (it runs a single agent)' };
    const item = run.items.find((candidate) => candidate.id === input.itemId);
    if (item === undefined) {
      return { error: `no item "${input.itemId}"`, expected: run.items.map((candidate) => candidate.id) };
    }
    if (item.owner !== caller.agentId) {
      return { error: `item ${item.id} is worked by ${item.owner ?? 'nobody yet'}, not ${caller.agentId}` };
    }
    const evidence = input.evidence === undefined ? item.evidence : `${input.status}: ${input.evidence}`;
    const status = input.status === 'in_progress' || input.status === 'done' ? 'in_progress' : item.status;
    Object.assign(item, { evidence, status });
    run.journal.updateChecklist([item]);
    run.journal.emit({ type: 'checklist.updated', item: { ...item } });
    return {
      ok: true,
      itemId: item.id,
      status: item.status,
      note:
        input.status === 'done'
          ? 'recorded; the lead verifies the item against its acceptance evidence'
          : 'recorded',
    };
  }
}
