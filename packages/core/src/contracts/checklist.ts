/** Where a checklist item stands. */
export type ChecklistItemStatus = 'pending' | 'in_progress' | 'done' | 'failed' | 'skipped';

/** One item of a run's plan. */
export interface ChecklistItem {
  /** Short stable id within the run, e.g. `item-1`. */
  id: string;
  title: string;
  /** The capability the item needs, matched by the router against agents' capabilities. */
  capability: string;
  /** What evidence shows the item is done; the verification step checks the result against it. */
  acceptance: string;
  /** Ids of items that must be done first. */
  dependsOn: string[];
  /** 1 (low) to 5 (critical). The master accepts escalations of priority 4 or more (or from managers). */
  priority: number;
  /** Files the item is about (routing by file ownership). */
  files: string[];
  /** The agent working it, once routed. */
  owner: string | null;
  status: ChecklistItemStatus;
  /** The result, or why it failed. */
  evidence: string | null;
}
