import { PassThrough } from 'node:stream';
import type { ApprovalRequest } from '@aether/core';
import { describe, expect, it } from 'vitest';
import { TerminalApprovalGate } from './approval-prompt.ts';

function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.setEncoding('utf8').on('data', (chunk: string) => {
    shown += chunk;
  });
  let prompts = 0;
  return {
    input,
    output,
    beforePrompt: () => {
      prompts++;
    },
    shown: () => shown,
    prompts: () => prompts,
  };
}

const request: ApprovalRequest = {
  id: 'a1',
  tenantId: 't',
  runId: 'r',
  callId: 'c',
  stepId: 's',
  agentId: 'writer',
  toolName: 'filesystem__write_file',
  server: 'filesystem',
  input: { path: 'notes.md', content: 'hello' },
  what: 'Create a new file or overwrite an existing one.',
  how: 'MCP tool "write_file" of server "filesystem"',
  why: 'to save the summary',
  timeoutMs: 300_000,
};

async function answer(gate: TerminalApprovalGate, screen: ReturnType<typeof terminal>, text: string) {
  const decision = gate.ask(request, new AbortController().signal);
  await new Promise((resolve) => setImmediate(resolve));
  screen.input.write(`${text}\n`);
  return decision;
}

describe('terminal approval prompt', () => {
  it('shows what, how, why and the input, and approves only on y or yes', async () => {
    const screen = terminal();
    const gate = new TerminalApprovalGate(screen);
    expect(await answer(gate, screen, 'y')).toEqual({
      approved: true,
      reason: 'approved at the terminal',
      decidedBy: 'user:terminal',
    });
    expect(screen.shown()).toContain(
      'approval needed: filesystem__write_file (server filesystem) for agent writer',
    );
    expect(screen.shown()).toContain('why:   to save the summary');
    expect(screen.shown()).toContain('input: {"path":"notes.md","content":"hello"}');
    expect(screen.shown()).toContain('allow this? [y/N] (denied after 300 s)');
    expect(await answer(gate, screen, 'YES')).toMatchObject({ approved: true });
    for (const text of ['', 'n', 'sure', 'no'])
      expect(await answer(gate, screen, text)).toMatchObject({ approved: false });
    expect(screen.prompts()).toBe(6);
  });

  it('a timeout (abort) ends the question', async () => {
    const screen = terminal();
    const gate = new TerminalApprovalGate(screen);
    const controller = new AbortController();
    const decision = gate.ask(request, controller.signal);
    controller.abort(new Error('timed out'));
    await expect(decision).rejects.toThrow();
  });

  it('asks the user questions for aether__ask_user on the same terminal', async () => {
    const screen = terminal();
    const questioner = new TerminalApprovalGate(screen).questioner();
    const reply = questioner.ask(
      'Which file?',
      { runId: 'r', agentId: 'lead', stepId: 's' },
      new AbortController().signal,
    );
    await new Promise((resolve) => setImmediate(resolve));
    screen.input.write('README.md\n');
    expect(await reply).toBe('README.md');
    expect(screen.shown()).toContain('lead asks: Which file?');
  });
});
