import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../contracts/agent.ts';
import { isAetherError } from '../errors.ts';
import { agentFileName, normalizeSystemPrompt, parseAgentFile, serializeAgentFile } from './agent-file.ts';
import type { AgentFileProblem } from './agent-problems.ts';

const PATH = '.aether/agents/coder.agent.md';

const VALID = `---
id: coder
name: Coder
tier: worker
description: Writes code.
sections: [engineering]
capabilities:
  - coding
  - debugging
filePatterns: ["src/**/*.ts"]
model: openai:gpt-4.1-mini
llmRequirement: { class: powerful, toolCalling: true }
tools: [read_file, "web_*"]
limits:
  maxIterations: 40
  timeoutMs: 600000
  temperature: 0.2
  tokenBudget: 100000
escalationTarget: engineering-manager
---

You are the Coder.

## Rules
- Test first.
`;

function problemsOf(text: string, path = PATH): AgentFileProblem[] {
  const result = parseAgentFile(path, text);
  if (result.ok) throw new Error('expected problems, the file parsed');
  return result.problems;
}

/** A file with the given front matter lines and a body. */
function file(frontMatter: string, body = 'You help.'): string {
  return `---\n${frontMatter}\n---\n\n${body}\n`;
}

const BASE = 'id: coder\nname: Coder\ntier: worker';

describe('parseAgentFile', () => {
  it('reads every field and takes the body as the system prompt', () => {
    const result = parseAgentFile(PATH, VALID);
    expect(result.ok).toBe(true);
    expect(result.agent).toStrictEqual({
      id: 'coder',
      name: 'Coder',
      tier: 'worker',
      description: 'Writes code.',
      sections: ['engineering'],
      capabilities: ['coding', 'debugging'],
      filePatterns: ['src/**/*.ts'],
      model: 'openai:gpt-4.1-mini',
      llmRequirement: { class: 'powerful', toolCalling: true },
      tools: ['read_file', 'web_*'],
      limits: { maxIterations: 40, timeoutMs: 600000, temperature: 0.2, tokenBudget: 100000 },
      escalationTarget: 'engineering-manager',
      systemPrompt: 'You are the Coder.\n\n## Rules\n- Test first.',
    });
  });

  it('defaults lists to empty and limits to {}; leaves optional fields out', () => {
    const result = parseAgentFile(PATH, file(BASE));
    expect(result.agent).toStrictEqual({
      id: 'coder',
      name: 'Coder',
      tier: 'worker',
      sections: [],
      capabilities: [],
      filePatterns: [],
      tools: [],
      limits: {},
      systemPrompt: 'You help.',
    });
  });

  it('treats an empty field as absent, and accepts CRLF line endings and a BOM', () => {
    const text = `\uFEFF${file(`${BASE}\ndescription:\nescalationTarget:`, 'Line one.\nLine two.')}`.replace(
      /\n/g,
      '\r\n',
    );
    const result = parseAgentFile(PATH, text);
    expect(result.ok).toBe(true);
    expect(result.agent?.systemPrompt).toBe('Line one.\nLine two.');
    expect(result.agent).not.toHaveProperty('description');
    expect(result.agent).not.toHaveProperty('escalationTarget');
  });

  it('does not check the id against names that are not <id>.agent.md', () => {
    expect(parseAgentFile('upload', file(BASE)).ok).toBe(true);
  });

  it('reports a file without front matter at line 1', () => {
    const [problem, ...rest] = problemsOf('You are a coder.\n');
    expect(rest).toHaveLength(0);
    expect(problem).toMatchObject({ code: 'AGENT_FRONT_MATTER_MISSING', path: PATH, line: 1 });
    expect(problem?.message).toBe(
      `${PATH}:1:1: expected a front matter block: a first line "---", the YAML fields (id, name, tier, …), then a line "---", got the first line "You are a coder."`,
    );
    expect(problemsOf('')[0]?.got).toBe('an empty file');
  });

  it('reports front matter that is never closed', () => {
    const [problem] = problemsOf('---\nid: coder\nname: Coder\n');
    expect(problem).toMatchObject({
      code: 'AGENT_FRONT_MATTER_MISSING',
      got: 'the end of the file',
      line: 4,
    });
  });

  it('reports bad YAML with the line in the file (not in the front matter)', () => {
    const [problem] = problemsOf(file(`${BASE}\ncapabilities: [coding, debugging\nlimits: {}`));
    expect(problem?.code).toBe('AGENT_YAML_INVALID');
    expect(problem?.path).toBe(PATH);
    expect(problem?.line).toBe(6);
    expect(problem?.expected).toBe('valid YAML front matter');
    expect(problem?.got).toMatch(/^a YAML error \(Flow sequence/);
  });

  it('reports duplicate keys as bad YAML with their line', () => {
    const [problem] = problemsOf(file(`${BASE}\nname: Again`));
    expect(problem).toMatchObject({ code: 'AGENT_YAML_INVALID', line: 5 });
    expect(problem?.got).toContain('Map keys must be unique');
  });

  it('reports front matter that is not a mapping', () => {
    const [problem] = problemsOf(file('- id: coder'));
    expect(problem).toMatchObject({ code: 'AGENT_YAML_INVALID', line: 2, got: 'a list [{"id":"coder"}]' });
    expect(problem?.expected).toMatch(/^a mapping of fields \(id, name, tier/);
  });

  it('reports each missing required field with the field name and what it must be', () => {
    const problems = problemsOf(file('description: nothing else'));
    expect(problems.map((problem) => [problem.code, problem.field])).toEqual([
      ['AGENT_FIELD_MISSING', 'id'],
      ['AGENT_FIELD_MISSING', 'name'],
      ['AGENT_FIELD_MISSING', 'tier'],
    ]);
    expect(problems[2]?.message).toBe(
      `${PATH}:2:1: tier: expected one of "master", "manager" or "worker" (the field is required), got nothing`,
    );
  });

  it('points a required field left empty at its own line', () => {
    const [problem] = problemsOf(file('id: coder\nname:\ntier: worker'));
    expect(problem).toMatchObject({
      code: 'AGENT_FIELD_MISSING',
      field: 'name',
      line: 3,
      got: 'an empty value',
    });
  });

  it('reports an invalid enum value with the choices and a suggestion', () => {
    const [problem] = problemsOf(file('id: coder\nname: Coder\ntier: wroker'));
    expect(problem).toMatchObject({
      code: 'AGENT_FIELD_INVALID',
      field: 'tier',
      line: 4,
      column: 7,
      expected: 'one of "master", "manager" or "worker"',
      got: '"wroker"',
      suggestion: 'worker',
    });
    expect(problem?.message).toContain('(did you mean "worker"?)');
  });

  it('reports wrong types with the dotted path and line of nested fields', () => {
    const problems = problemsOf(
      file(
        `${BASE}\ncapabilities: coding\ntools: [1, ""]\nlimits:\n  timeoutMs: "10s"\n  maxIterations: 2.5`,
      ),
    );
    const byField = Object.fromEntries(problems.map((problem) => [problem.field, problem]));
    expect(byField['capabilities']).toMatchObject({
      line: 5,
      expected: 'a list of items that are each a non-empty capability',
      got: '"coding"',
    });
    expect(byField['tools[0]']).toMatchObject({ line: 6, got: '1' });
    expect(byField['tools[1]']).toMatchObject({ line: 6, got: 'an empty string' });
    expect(byField['limits.timeoutMs']).toMatchObject({
      line: 8,
      expected: 'an integer from 1000 to 86400000',
      got: '"10s"',
    });
    expect(byField['limits.maxIterations']).toMatchObject({
      line: 9,
      expected: 'an integer from 1 to 1000',
      got: '2.5',
    });
  });

  it('reports out-of-range numbers and bad formats', () => {
    const problems = problemsOf(
      file(
        `${BASE}\nmodel: gpt-4o\nlimits: { temperature: 3 }\nllmRequirement: { class: huge, toolCalling: "yes" }`,
      ),
    );
    expect(problems.map((problem) => problem.message)).toEqual([
      `${PATH}:5:8: model: expected a model id "provider:model" such as "openai:gpt-4o-mini", got "gpt-4o"`,
      `${PATH}:6:24: limits.temperature: expected a number from 0 to 2, got 3`,
      `${PATH}:7:26: llmRequirement.class: expected one of "fast", "balanced" or "powerful", got "huge"`,
      `${PATH}:7:45: llmRequirement.toolCalling: expected true or false, got "yes"`,
    ]);
  });

  it('reports unknown fields, at every level, with a suggestion', () => {
    const problems = problemsOf(file(`${BASE}\ncapabilites: [coding]\nlimits:\n  maxIteration: 5`));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatchObject({
      code: 'AGENT_FIELD_UNKNOWN',
      field: 'capabilites',
      line: 5,
      suggestion: 'capabilities',
    });
    expect(problems[0]?.message).toMatch(
      /^\.aether\/agents\/coder\.agent\.md:5:1: capabilites: unknown field \(did you mean "capabilities"\?\); expected a front matter field \(id, name, tier,/,
    );
    expect(problems[1]).toMatchObject({
      code: 'AGENT_FIELD_UNKNOWN',
      field: 'limits.maxIteration',
      line: 7,
      column: 3,
      suggestion: 'maxIterations',
    });
  });

  it('explains that the system prompt is the body, not a field', () => {
    const [problem] = problemsOf(file(`${BASE}\nsystemPrompt: Be nice.`));
    expect(problem?.field).toBe('systemPrompt');
    expect(problem?.expected).toContain('Markdown body');
  });

  it('reports an id that does not match the file name', () => {
    const [problem] = problemsOf(file('id: coder2\nname: Coder\ntier: worker'));
    expect(problem).toMatchObject({ code: 'AGENT_ID_MISMATCH', field: 'id', line: 2, got: '"coder2"' });
    expect(problem?.expected).toContain('"coder", the file name without ".agent.md"');
  });

  it('reports an invalid id', () => {
    const [problem] = problemsOf(file('id: Coder_1\nname: Coder\ntier: worker'), 'upload');
    expect(problem).toMatchObject({ code: 'AGENT_FIELD_INVALID', field: 'id', got: '"Coder_1"' });
    expect(problem?.expected).toContain('lowercase letters, digits and single hyphens');
  });

  it('reports an agent escalating to itself', () => {
    const [problem] = problemsOf(file(`${BASE}\nescalationTarget: coder`));
    expect(problem).toMatchObject({ code: 'AGENT_FIELD_INVALID', field: 'escalationTarget', line: 5 });
  });

  it('reports an empty body, together with field problems', () => {
    const problems = problemsOf('---\nid: coder\nname: Coder\ntier: boss\n---\n\n   \n');
    expect(problems.map((problem) => problem.code)).toEqual(['AGENT_FIELD_INVALID', 'AGENT_BODY_EMPTY']);
    expect(problems[1]).toMatchObject({ field: 'systemPrompt', line: 6, got: 'an empty body' });
    expect(problemsOf(`---\n${BASE}\n---`)[0]?.code).toBe('AGENT_BODY_EMPTY');
  });

  it('refuses YAML alias bombs instead of expanding them', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 12; level++) {
      const previous = String.fromCharCode(96 + level);
      const next = String.fromCharCode(97 + level);
      bomb.push(`${next}: &${next} [${Array(10).fill(`*${previous}`).join(', ')}]`);
    }
    const [problem] = problemsOf(file(`${BASE}\n${bomb.join('\n')}`));
    expect(problem?.code).toBe('AGENT_YAML_INVALID');
  });
});

describe('serializeAgentFile', () => {
  it('writes front matter in field order, lists inline, empty lists left out', () => {
    const text = serializeAgentFile({
      id: 'writer',
      name: 'Writer',
      tier: 'worker',
      sections: [],
      capabilities: ['writing', 'editing'],
      filePatterns: [],
      tools: [],
      limits: { temperature: 0.7 },
      escalationTarget: 'editor',
      systemPrompt: 'You write.',
    });
    expect(text).toBe(
      '---\nid: writer\nname: Writer\ntier: worker\ncapabilities: [writing, editing]\nlimits:\n  temperature: 0.7\nescalationTarget: editor\n---\n\nYou write.\n',
    );
  });

  it('refuses a definition that would not load, naming the field', () => {
    const bad = { id: 'x', name: 'X', tier: 'boss', systemPrompt: 'p' } as unknown as AgentDefinition;
    expect(() => serializeAgentFile(bad)).toThrow(/agent "x" cannot be written: tier: expected one of/);
    try {
      serializeAgentFile(bad);
    } catch (error) {
      expect(isAetherError(error, 'AGENT_DEFINITION_INVALID')).toBe(true);
    }
  });
});

// Strings of any Unicode (lone surrogates and control characters included).
const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const nonBlank = fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).filter((text) => /\S/.test(text));
const idArbitrary = fc.stringMatching(/^[a-z][a-z0-9]{0,8}(?:-[a-z0-9]{1,5}){0,2}$/);
const modelArbitrary = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), fc.stringMatching(/^[!-~]{1,20}$/))
  .map(([provider, model]) => `${provider}:${model}`);

const definitionArbitrary: fc.Arbitrary<AgentDefinition> = fc
  .record(
    {
      id: idArbitrary,
      name: nonBlank,
      tier: fc.constantFrom('master', 'manager', 'worker'),
      description: anyText,
      sections: fc.array(nonBlank, { maxLength: 3 }),
      capabilities: fc.array(nonBlank, { maxLength: 4 }),
      filePatterns: fc.array(nonBlank, { maxLength: 3 }),
      model: modelArbitrary,
      llmRequirement: fc.record(
        { class: fc.constantFrom('fast', 'balanced', 'powerful'), toolCalling: fc.boolean() },
        { requiredKeys: [] },
      ),
      tools: fc.array(nonBlank, { maxLength: 4 }),
      limits: fc.record(
        {
          maxIterations: fc.integer({ min: 1, max: 1_000 }),
          timeoutMs: fc.integer({ min: 1_000, max: 86_400_000 }),
          temperature: fc.double({ min: 0, max: 2, noNaN: true }),
          tokenBudget: fc.integer({ min: 1, max: 1_000_000_000 }),
        },
        { requiredKeys: [] },
      ),
      escalationTarget: idArbitrary,
      systemPrompt: fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
    },
    {
      requiredKeys: [
        'id',
        'name',
        'tier',
        'sections',
        'capabilities',
        'filePatterns',
        'tools',
        'limits',
        'systemPrompt',
      ],
    },
  )
  // structuredClone: fast-check builds records without a prototype; the parser builds plain objects.
  .map((definition) =>
    structuredClone({ ...definition, systemPrompt: normalizeSystemPrompt(definition.systemPrompt) }),
  )
  .filter(
    (definition) => /\S/.test(definition.systemPrompt) && definition.escalationTarget !== definition.id,
  );

describe('agent file round trip', () => {
  it('parse(serialize(x)) equals x for every valid definition', () => {
    fc.assert(
      fc.property(definitionArbitrary, (definition) => {
        const text = serializeAgentFile(definition);
        const result = parseAgentFile(`agents/${agentFileName(definition.id)}`, text);
        if (!result.ok) throw new Error(`${result.problems.map((p) => p.message).join('\n')}\n---\n${text}`);
        expect(result.agent).toStrictEqual(definition);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips strings that look like YAML or front matter delimiters', () => {
    const tricky: AgentDefinition = {
      id: 'tricky',
      name: '---',
      tier: 'worker',
      description: 'a\n---\nb\n...\n# not a comment\u2028\u0085 end ',
      sections: ['- item', '[x]', '{a: 1}', 'null', 'yes', '1e3', '#hash', "'quote", '"double'],
      capabilities: ['a, b', 'key: value', '*alias', '&anchor', '!tag', '%directive', '@at', '`tick`'],
      filePatterns: ['**/*.{ts,tsx}', '!src/generated/**'],
      tools: ['mcp__server__*'],
      limits: { temperature: 0 },
      systemPrompt: '---\nid: injected\n---\n\n  indented\n...',
    };
    const result = parseAgentFile(agentFileName('tricky'), serializeAgentFile(tricky));
    expect(result.ok && result.agent).toStrictEqual(tricky);
  });

  it('serialize is stable: serialize(parse(serialize(x))) is the same text', () => {
    fc.assert(
      fc.property(definitionArbitrary, (definition) => {
        const text = serializeAgentFile(definition);
        const result = parseAgentFile(agentFileName(definition.id), text);
        expect(result.ok && serializeAgentFile(result.agent)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (body) => {
        const result = parseAgentFile(PATH, `---\n${body}\n---\nprompt`);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});
