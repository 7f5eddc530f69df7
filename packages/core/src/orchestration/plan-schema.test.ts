import { describe, expect, it } from 'vitest';
import { isAetherError } from '../errors.ts';
import {
  createPlanSchema,
  DEFAULT_PLAN_PRIORITY,
  dependencyOrder,
  describePlanProblems,
  findDependencyCycle,
  type PlanOutput,
  parsePlan,
  planJsonSchema,
  planToChecklist,
} from './plan-schema.ts';

const OPTIONS = { maxItems: 5 };

function item(id: string, extra: Record<string, unknown> = {}) {
  return { id, title: `Do ${id}`, capability: 'research', acceptance: `${id} is done`, ...extra };
}

function messageFor(value: unknown, options = OPTIONS): string {
  const result = parsePlan(value, options);
  if (result.ok) throw new Error('expected the plan to be refused');
  return result.message;
}

describe('plan schema', () => {
  it('accepts a plan and fills the checklist defaults', () => {
    const result = parsePlan(
      {
        items: [
          item('item-1'),
          item('item-2', { dependsOn: ['item-1'], priority: 5, files: [' src/a.ts '] }),
        ],
      },
      OPTIONS,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.items).toEqual([
      {
        id: 'item-1',
        title: 'Do item-1',
        capability: 'research',
        acceptance: 'item-1 is done',
        dependsOn: [],
        priority: DEFAULT_PLAN_PRIORITY,
        files: [],
        owner: null,
        status: 'pending',
        evidence: null,
      },
      expect.objectContaining({ id: 'item-2', dependsOn: ['item-1'], priority: 5, files: ['src/a.ts'] }),
    ]);
    expect(result.layers).toEqual([['item-1'], ['item-2']]);
  });

  it('accepts JSON text, fenced or not, nulls for optional fields, and ignores unknown fields', () => {
    const text =
      '```json\n{"items":[{"id":"a","title":"T","capability":"c","acceptance":"x","dependsOn":null,"priority":null,"files":null,"notes":"extra"}]}\n```';
    const result = parsePlan(text, OPTIONS);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.items[0]).toMatchObject({ dependsOn: [], priority: 3, files: [] });
  });

  it('names each missing or wrong field with what was expected and what came', () => {
    const message = messageFor({
      items: [
        item('item-1', { capability: '' }),
        { id: 'item-2', title: 'T' },
        item('item-3', { priority: 9 }),
      ],
    });
    expect(message).toContain('The plan has 4 problems:');
    expect(message).toContain('- items[0].capability: expected the capability the item needs');
    expect(message).toContain('got an empty string');
    expect(message).toMatch(/- items\[1\]\.capability: expected .*\(the field is required\), got nothing/);
    expect(message).toMatch(/- items\[1\]\.acceptance: expected .*\(the field is required\), got nothing/);
    expect(message).toContain('- items[2].priority: expected an integer from 1 (low) to 5 (critical), got 9');
    expect(message).toContain('Answer again with the whole plan as JSON');
  });

  it('refuses duplicate ids, unknown and self dependencies and cycles, naming them', () => {
    const message = messageFor({
      items: [
        item('a', { dependsOn: ['ghost'] }),
        item('a'),
        item('b', { dependsOn: ['b'] }),
        item('c', { dependsOn: ['d'] }),
        item('d', { dependsOn: ['c'] }),
      ],
    });
    expect(message).toContain(
      'items[1].id: expected an id no other item uses ("a" is already the id of items[0]), got "a"',
    );
    expect(message).toContain(
      'items[0].dependsOn[0]: expected the id of an item of this plan ("a", "b", "c", "d"), got "ghost"',
    );
    expect(message).toContain(
      'items[2].dependsOn[0]: expected the id of another item (an item cannot depend on itself)',
    );
    expect(message).toContain('dependencies without a cycle (c → d → c depend on each other)');
    expect(message).not.toContain('b → b');
  });

  it('reports cross-item problems in the same round as missing fields', () => {
    const message = messageFor({ items: [{ id: 'a', title: 'T' }, item('b', { dependsOn: ['zzz'] })] });
    expect(message).toContain('items[0].capability');
    expect(message).toContain('items[1].dependsOn[0]: expected the id of an item of this plan');
  });

  it('limits the number of items to methodology.maxChecklistItems', () => {
    const message = messageFor({ items: [item('a'), item('b'), item('c')] }, { maxItems: 2 });
    expect(message).toContain('- items: expected a list of at most 2 items, got a list of 3 items');
    expect(messageFor({ items: [] })).toContain(
      '- items: expected a list of at least 1 item, got an empty list',
    );
  });

  it('refuses bad ids and values that are not a plan', () => {
    expect(messageFor({ items: [item('has space')] })).toContain(
      'items[0].id: expected an id of letters, digits',
    );
    expect(messageFor([1, 2])).toContain('(the whole value)');
    expect(messageFor('{"items": [')).toMatch(
      /expected valid JSON, got a JSON syntax error at line 1, column \d+/,
    );
    expect(messageFor('')).toContain('expected a JSON value, got an empty answer');
  });

  it('describePlanProblems works from a schema error alone', () => {
    const schema = createPlanSchema(OPTIONS);
    const input = { items: [item('a', { title: 42 })] };
    const result = schema.safeParse(input);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(describePlanProblems(result.error, input)).toContain(
      'items[0].title: expected a short, non-empty title',
    );
    expect(describePlanProblems(result.error, input)).toContain('got 42');
    expect(describePlanProblems(result.error)).toContain('items[0].title: expected a short, non-empty title');
    expect(describePlanProblems(result.error)).toContain('got a number');
  });

  it('describePlanProblems without the input still tells missing from wrong, and uses reportInput', () => {
    const schema = createPlanSchema(OPTIONS);
    const input = {
      items: [{ id: 'a', title: 'T', acceptance: 'x', capability: 'c', priority: 7 }, { id: 'b' }],
    };
    const plain = schema.safeParse(input);
    if (plain.success) throw new Error('expected a failure');
    const message = describePlanProblems(plain.error);
    expect(message).toMatch(/- items\[1\]\.title: expected .*\(the field is required\), got nothing/);
    expect(message).toContain('- items[0].priority: expected an integer from 1 (low) to 5 (critical)\n');
    const reported = schema.safeParse(input, { reportInput: true });
    if (reported.success) throw new Error('expected a failure');
    expect(describePlanProblems(reported.error)).toContain(
      '- items[0].priority: expected an integer from 1 (low) to 5 (critical), got 7',
    );
  });

  it('refuses a maxItems outside 1..200', () => {
    expect(() => createPlanSchema({ maxItems: 0 })).toThrow(/maxItems: expected an integer from 1 to 200/);
  });
});

describe('planJsonSchema', () => {
  it('is a JSON Schema with every field required, optional ones nullable, no extra fields', () => {
    const schema = planJsonSchema(OPTIONS) as {
      type: string;
      properties: { items: { maxItems: number; minItems: number; items: Record<string, unknown> } };
    };
    expect(schema.type).toBe('object');
    expect(schema).not.toHaveProperty('$schema');
    const items = schema.properties.items;
    expect(items.minItems).toBe(1);
    expect(items.maxItems).toBe(5);
    expect(items.items['required']).toEqual([
      'id',
      'title',
      'capability',
      'acceptance',
      'dependsOn',
      'priority',
      'files',
    ]);
    expect(items.items['additionalProperties']).toBe(false);
    expect(JSON.stringify(items.items)).toContain('"type":"null"');
    expect(JSON.stringify(schema)).not.toContain('"expected"');
  });
});

describe('planToChecklist', () => {
  it('drops repeated dependencies and files', () => {
    const plan: PlanOutput = {
      items: [item('a'), item('b', { dependsOn: ['a', 'a'], files: ['x', 'x'] }) as never],
    };
    expect(planToChecklist(plan)[1]).toMatchObject({ dependsOn: ['a'], files: ['x'] });
  });
});

describe('dependencyOrder', () => {
  it('gives layers in input order', () => {
    expect(
      dependencyOrder([
        { id: 'a', dependsOn: [] },
        { id: 'b', dependsOn: ['a'] },
        { id: 'c', dependsOn: [] },
        { id: 'd', dependsOn: ['b', 'c'] },
      ]),
    ).toEqual([['a', 'c'], ['b'], ['d']]);
    expect(dependencyOrder([])).toEqual([]);
  });

  it('throws PLAN_DEPENDENCY_CYCLE naming the cycle', () => {
    let caught: unknown;
    try {
      dependencyOrder([
        { id: 'item-1', dependsOn: ['item-3'] },
        { id: 'item-2', dependsOn: [] },
        { id: 'item-3', dependsOn: ['item-1'] },
      ]);
    } catch (error) {
      caught = error;
    }
    expect(isAetherError(caught, 'PLAN_DEPENDENCY_CYCLE')).toBe(true);
    expect((caught as Error).message).toBe(
      'checklist items depend on each other in a cycle: item-1 → item-3 → item-1',
    );
  });

  it('throws for self dependencies, unknown dependencies and duplicate ids', () => {
    expect(() => dependencyOrder([{ id: 'a', dependsOn: ['a'] }])).toThrow(/cycle: a → a/);
    expect(() => dependencyOrder([{ id: 'a', dependsOn: ['x'] }])).toThrow(
      /depends on "x", which is not an item/,
    );
    expect(() =>
      dependencyOrder([
        { id: 'a', dependsOn: [] },
        { id: 'a', dependsOn: [] },
      ]),
    ).toThrow(/two checklist items have the id "a"/);
  });

  it('findDependencyCycle finds longer cycles and nothing in a DAG', () => {
    expect(
      findDependencyCycle([
        { id: 'a', dependsOn: ['b'] },
        { id: 'b', dependsOn: ['c'] },
        { id: 'c', dependsOn: ['a'] },
      ]),
    ).toEqual(['a', 'b', 'c', 'a']);
    expect(
      findDependencyCycle([
        { id: 'a', dependsOn: [] },
        { id: 'b', dependsOn: ['a'] },
        { id: 'c', dependsOn: ['a', 'b'] },
      ]),
    ).toBeUndefined();
  });
});
