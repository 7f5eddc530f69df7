/**
 * The plan the lead model returns for a goal: a list of checklist items with the
 * capability each needs, what shows it is done, and what it depends on. This file holds
 * the schema (and its JSON Schema for `responseFormat`), the correction message sent back
 * when the model gets it wrong, the conversion to {@link ChecklistItem}s, and the order in
 * which items can run.
 *
 * ```json
 * { "items": [
 *   { "id": "item-1", "title": "Find the three main competitors", "capability": "research",
 *     "acceptance": "Three named competitors, each with a source", "dependsOn": [], "priority": 3, "files": [] },
 *   { "id": "item-2", "title": "Write a one-page comparison", "capability": "writing",
 *     "acceptance": "A page comparing price and features", "dependsOn": ["item-1"], "priority": null, "files": null }
 * ] }
 * ```
 */
import { z } from 'zod';
import type { ChecklistItem } from '../contracts/checklist.ts';
import { AetherError } from '../errors.ts';
import {
  formatSchemaProblems,
  parseJsonText,
  type SchemaProblem,
  type SchemaProblemOptions,
  schemaProblems,
} from '../guards/schema-problems.ts';

/** Item ids: a letter or digit, then letters, digits, `-`, `_` or `.`; at most 64 characters. */
export const PLAN_ITEM_ID_PATTERN: RegExp = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The priority of an item that states none (1 low … 5 critical). */
export const DEFAULT_PLAN_PRIORITY = 3;

/** The most items a plan may ever hold, whatever `methodology.maxChecklistItems` says (its own maximum). */
export const PLAN_MAX_ITEMS_LIMIT = 200;

/** Limits of a plan. */
export interface PlanSchemaOptions {
  /** Most items a plan may hold (`methodology.maxChecklistItems`). */
  maxItems: number;
}

const ID_EXPECTED = 'an id of letters, digits, "-", "_" or "." (e.g. "item-1"), at most 64 characters';
const NOT_BLANK = /\S/;

function text(expected: string, max: number): z.ZodString {
  return z
    .string()
    .max(max)
    .regex(NOT_BLANK, expected)
    .meta({ expected: `${expected}, at most ${max} characters` });
}

const itemIdSchema = z.string().regex(PLAN_ITEM_ID_PATTERN, ID_EXPECTED).meta({ expected: ID_EXPECTED });

/** The fields of one plan item; optional ones may also be `null` (as strict structured outputs send them). */
function itemShape(maxItems: number) {
  return {
    id: itemIdSchema,
    title: text('a short, non-empty title saying what to do', 300),
    capability: text('the capability the item needs, e.g. "research" or "unit testing"', 120),
    acceptance: text('what evidence shows the item is done', 2_000),
    dependsOn: z
      .array(itemIdSchema)
      .max(maxItems)
      .nullish()
      .meta({ expected: 'a list of ids of other items of this plan that must be done first' }),
    priority: z
      .number()
      .int()
      .min(1)
      .max(5)
      .nullish()
      .meta({ expected: 'an integer from 1 (low) to 5 (critical)' }),
    files: z
      .array(z.string().max(1_000).regex(NOT_BLANK, 'a non-empty file path'))
      .max(100)
      .nullish()
      .meta({ expected: 'a list of file paths the item is about' }),
  };
}

/** One item as the model returns it. */
export interface PlanItemOutput {
  id: string;
  title: string;
  capability: string;
  acceptance: string;
  dependsOn?: string[] | null | undefined;
  priority?: number | null | undefined;
  files?: string[] | null | undefined;
}

/** A plan as the model returns it. */
export interface PlanOutput {
  items: PlanItemOutput[];
}

/** The schema type {@link createPlanSchema} returns. */
export type PlanSchema = z.ZodType<PlanOutput>;

function checkMaxItems(maxItems: number): void {
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > PLAN_MAX_ITEMS_LIMIT) {
    throw new AetherError(
      'PLAN_OPTIONS_INVALID',
      `plan schema: maxItems: expected an integer from 1 to ${PLAN_MAX_ITEMS_LIMIT}, got ${String(maxItems)}`,
      { category: 'user', hint: 'check methodology.maxChecklistItems' },
    );
  }
}

function isDependencyList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
}

/** Items with a string id, their index, and their string dependencies, for the cross-item checks. */
function dependencyView(items: unknown): { id: string; index: number; dependsOn: string[] }[] {
  if (!Array.isArray(items)) return [];
  const view: { id: string; index: number; dependsOn: string[] }[] = [];
  items.forEach((item: unknown, index) => {
    if (typeof item !== 'object' || item === null) return;
    const { id, dependsOn } = item as { id?: unknown; dependsOn?: unknown };
    if (typeof id !== 'string') return;
    view.push({ id, index, dependsOn: isDependencyList(dependsOn) ? dependsOn : [] });
  });
  return view;
}

interface CrossItemIssue {
  path: (string | number)[];
  input: unknown;
  message: string;
}

/**
 * Problems between items: repeated ids, dependencies on unknown ids or on the item itself,
 * and cycles. Reads the items defensively: zod runs refinements even when single fields
 * failed, and {@link describePlanProblems} runs it on raw input when zod did not.
 */
function crossItemIssues(rawItems: unknown): CrossItemIssue[] {
  const issues: CrossItemIssue[] = [];
  const items = dependencyView(rawItems);
  const firstIndex = new Map<string, number>();
  for (const item of items) {
    const earlier = firstIndex.get(item.id);
    if (earlier === undefined) firstIndex.set(item.id, item.index);
    else
      issues.push({
        path: ['items', item.index, 'id'],
        input: item.id,
        message: `an id no other item uses ("${item.id}" is already the id of items[${earlier}])`,
      });
  }
  for (const item of items) {
    item.dependsOn.forEach((dependency, position) => {
      if (dependency === item.id)
        issues.push({
          path: ['items', item.index, 'dependsOn', position],
          input: dependency,
          message: 'the id of another item (an item cannot depend on itself)',
        });
      else if (!firstIndex.has(dependency))
        issues.push({
          path: ['items', item.index, 'dependsOn', position],
          input: dependency,
          message: `the id of an item of this plan (${[...firstIndex.keys()].map((id) => `"${id}"`).join(', ')})`,
        });
    });
  }
  // A self-dependency is reported above; leaving it out here keeps it from also showing as a cycle.
  const cycle = findDependencyCycle(
    items.map((item) => ({
      ...item,
      dependsOn: item.dependsOn.filter((dependency) => dependency !== item.id),
    })),
  );
  if (cycle !== undefined) {
    const item = items.find((candidate) => candidate.id === cycle[0]);
    issues.push({
      path: ['items', item?.index ?? 0, 'dependsOn'],
      input: item?.dependsOn,
      message: `dependencies without a cycle (${cycle.join(' → ')} depend on each other)`,
    });
  }
  return issues;
}

/**
 * The schema of a plan with at most `maxItems` items: each item with a unique id, a
 * title, a capability and an acceptance criterion; `dependsOn` naming other items of the
 * plan without a cycle; `priority` 1–5; `files`. Unknown fields are ignored (stripped), so
 * a model adding a harmless `notes` field is not sent back to retry.
 *
 * @example
 * const schema = createPlanSchema({ maxItems: settings.methodology.maxChecklistItems });
 */
export function createPlanSchema(options: PlanSchemaOptions): PlanSchema {
  checkMaxItems(options.maxItems);
  return z
    .object({
      items: z
        .array(z.object(itemShape(options.maxItems)))
        .min(1)
        .max(options.maxItems)
        .meta({ expected: `a list of 1 to ${options.maxItems} checklist items` }),
    })
    .superRefine((plan, context) => {
      for (const issue of crossItemIssues(plan.items)) context.addIssue({ code: 'custom', ...issue });
    }) as PlanSchema;
}

/**
 * The JSON Schema of a plan, for a model's `responseFormat`. Every field is listed as
 * required and the optional ones accept `null` (the shape strict structured outputs ask
 * for); the parser accepts them left out as well. Uniqueness and dependency checks are not
 * expressible in JSON Schema and are done by {@link parsePlan}.
 */
export function planJsonSchema(options: PlanSchemaOptions): Record<string, unknown> {
  checkMaxItems(options.maxItems);
  const id = z.string().min(1).max(64).regex(PLAN_ITEM_ID_PATTERN);
  const wire = z.object({
    items: z
      .array(
        z.object({
          id: id.describe('A short id, unique in the plan, e.g. "item-1".'),
          title: z.string().min(1).max(300).describe('What to do, in a few words.'),
          capability: z
            .string()
            .min(1)
            .max(120)
            .describe('The capability the item needs, e.g. "research", "unit testing", "code review".'),
          acceptance: z.string().min(1).max(2_000).describe('What evidence shows the item is done.'),
          dependsOn: z
            .array(id)
            .max(options.maxItems)
            .nullable()
            .describe('Ids of items of this plan that must be done first ([] or null: none).'),
          priority: z.number().int().min(1).max(5).nullable().describe('1 (low) to 5 (critical); null: 3.'),
          files: z
            .array(z.string().min(1).max(1_000))
            .max(100)
            .nullable()
            .describe('Files the item is about ([] or null: none).'),
        }),
      )
      .min(1)
      .max(options.maxItems)
      .describe('The checklist, in a sensible order.'),
  });
  const { $schema: _version, ...schema } = z.toJSONSchema(wire) as Record<string, unknown>;
  return schema;
}

/**
 * The first cycle among items' dependencies, as ids starting and ending with the same id
 * (`['a', 'b', 'a']`), or `undefined`. Dependencies on unknown ids are ignored here.
 */
export function findDependencyCycle(
  items: readonly { id: string; dependsOn: readonly string[] }[],
): string[] | undefined {
  const byId = new Map(items.map((item) => [item.id, item] as const));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const current = state.get(id);
    if (current === 'done') return undefined;
    if (current === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dependency of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(dependency)) continue;
      const cycle = visit(dependency);
      if (cycle !== undefined) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const item of items) {
    const cycle = visit(item.id);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

/**
 * The order items can run in: layers of ids, each layer's items depending only on items of
 * earlier layers (so a layer can run in parallel); within a layer, the items' input order.
 * Throws `PLAN_ITEM_ID_DUPLICATE`, `PLAN_DEPENDENCY_UNKNOWN` or `PLAN_DEPENDENCY_CYCLE`
 * (naming the cycle: `item-1 → item-3 → item-1`).
 *
 * @example
 * dependencyOrder([
 *   { id: 'a', dependsOn: [] },
 *   { id: 'b', dependsOn: ['a'] },
 *   { id: 'c', dependsOn: [] },
 * ]); // [['a', 'c'], ['b']]
 */
export function dependencyOrder(items: readonly { id: string; dependsOn: readonly string[] }[]): string[][] {
  const ids = new Set<string>();
  for (const item of items) {
    if (ids.has(item.id))
      throw new AetherError('PLAN_ITEM_ID_DUPLICATE', `two checklist items have the id "${item.id}"`, {
        category: 'user',
      });
    ids.add(item.id);
  }
  for (const item of items) {
    for (const dependency of item.dependsOn) {
      if (!ids.has(dependency))
        throw new AetherError(
          'PLAN_DEPENDENCY_UNKNOWN',
          `checklist item "${item.id}" depends on "${dependency}", which is not an item of the plan`,
          { category: 'user' },
        );
    }
  }
  const cycle = findDependencyCycle(items);
  if (cycle !== undefined)
    throw new AetherError(
      'PLAN_DEPENDENCY_CYCLE',
      `checklist items depend on each other in a cycle: ${cycle.join(' → ')}`,
      { category: 'user', hint: 'remove one of these dependencies so the items can be ordered' },
    );
  const layers: string[][] = [];
  const placed = new Set<string>();
  let remaining = [...items];
  while (remaining.length > 0) {
    const layer = remaining.filter((item) => item.dependsOn.every((dependency) => placed.has(dependency)));
    for (const item of layer) placed.add(item.id);
    layers.push(layer.map((item) => item.id));
    remaining = remaining.filter((item) => !placed.has(item.id));
  }
  return layers;
}

/**
 * Checklist items from a validated plan: strings trimmed, `status: 'pending'`,
 * `owner: null`, `evidence: null`, `dependsOn` and `files` defaulting to `[]` (repeats
 * dropped), `priority` to {@link DEFAULT_PLAN_PRIORITY}.
 */
export function planToChecklist(plan: PlanOutput): ChecklistItem[] {
  return plan.items.map((item) => ({
    id: item.id,
    title: item.title.trim(),
    capability: item.capability.trim(),
    acceptance: item.acceptance.trim(),
    dependsOn: [...new Set(item.dependsOn ?? [])],
    priority: item.priority ?? DEFAULT_PLAN_PRIORITY,
    files: [...new Set((item.files ?? []).map((file) => file.trim()))],
    owner: null,
    status: 'pending',
    evidence: null,
  }));
}

const DESCRIBE_SCHEMA = createPlanSchema({ maxItems: PLAN_MAX_ITEMS_LIMIT });

/** The correction message's closing line. */
const CORRECTION_TAIL = 'Answer again with the whole plan as JSON, fixing these fields.';

/**
 * A short correction message for the model: one line per wrong field naming the field,
 * what was expected and what it sent. Pass the value the model sent as `input` so the
 * message can say what was there (or parse with `{ reportInput: true }`); without it, the
 * message says what was expected and, where zod tells, the type that came.
 * {@link parsePlan} does all of this from the model's text.
 *
 * @example
 * const result = schema.safeParse(value);
 * if (!result.success) messages.push(userMessage(describePlanProblems(result.error, value)));
 * // The plan has 2 problems:
 * // - items[1].capability: expected the capability the item needs, …, got nothing (the field is required)
 * // - items[2].dependsOn[0]: expected the id of an item of this plan ("item-1", "item-2", "item-3"), got "item-9"
 */
export function describePlanProblems(error: z.ZodError, ...input: [input?: unknown]): string {
  const options =
    input.length > 0 ? { schema: DESCRIBE_SCHEMA, input: input[0] } : { schema: DESCRIBE_SCHEMA };
  return describeProblems(planProblems(error, options));
}

/**
 * The problems of a failed plan parse. Zod skips the cross-item refinement when an item
 * lacks a field, so those checks are run on the raw input then (when it is known), and
 * every problem is reported in one round trip.
 */
function planProblems(
  error: z.ZodError,
  options: SchemaProblemOptions & { schema: z.ZodType },
): SchemaProblem[] {
  const problems = schemaProblems(error, options);
  const refined = error.issues.some((issue) => issue.code === 'custom');
  const tooMany = error.issues.some((issue) => issue.code === 'too_big' && issue.path.length === 1);
  const input = options.input;
  if (refined || tooMany || !('input' in options) || input === null || typeof input !== 'object')
    return problems;
  const cross = crossItemIssues((input as { items?: unknown }).items);
  if (cross.length === 0) return problems;
  const extra = new z.ZodError(cross.map((issue) => ({ code: 'custom' as const, ...issue })));
  return [...problems, ...schemaProblems(extra, options)].sort((a, b) => compareFields(a.field, b.field));
}

/** Orders `items[2].id` before `items[10].id` (numbers compared as numbers). */
function compareFields(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function describeProblems(problems: readonly SchemaProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return `The plan has ${count}:\n${formatSchemaProblems(problems)}\n${CORRECTION_TAIL}`;
}

/** What {@link parsePlan} returns: the plan and its checklist, or the problems and a correction message. */
export type PlanParseResult =
  | { ok: true; plan: PlanOutput; items: ChecklistItem[]; layers: string[][] }
  | { ok: false; problems: SchemaProblem[]; message: string };

/**
 * Validates what the model returned for a plan — JSON text (fenced or not) or an already
 * parsed value — and gives the checklist items and their dependency layers, or the
 * problems with a correction message for the model (see {@link describePlanProblems}).
 * Never throws for bad input.
 *
 * @example
 * const result = parsePlan(response.text, { maxItems: settings.methodology.maxChecklistItems });
 * if (!result.ok) return retryWith(result.message);
 * checklist.push(...result.items);
 */
export function parsePlan(answer: unknown, options: PlanSchemaOptions): PlanParseResult {
  let value = answer;
  if (typeof answer === 'string') {
    const parsed = parseJsonText(answer);
    if (!parsed.ok)
      return { ok: false, problems: [parsed.problem], message: describeProblems([parsed.problem]) };
    value = parsed.value;
  }
  const schema = createPlanSchema(options);
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = planProblems(result.error, { schema, input: value });
    return { ok: false, problems, message: describeProblems(problems) };
  }
  const items = planToChecklist(result.data);
  return { ok: true, plan: result.data, items, layers: dependencyOrder(items) };
}
