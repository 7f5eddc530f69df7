import { createInterface } from 'node:readline/promises';
import type {
  ApprovalDecision,
  ApprovalGate,
  ApprovalRequest,
  OwnToolCaller,
  UserQuestioner,
} from '@aether/core';

/** The terminal a prompt reads from and writes to. */
export interface PromptTerminal {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Called before a prompt is shown: print the trace so far, stop the spinner drawing over it. */
  beforePrompt?: () => void | Promise<void>;
}

function flat(text: string, max: number): string {
  const single = text.replace(/\s+/g, ' ').trim();
  return single.length <= max ? single : `${single.slice(0, max - 1)}…`;
}

/** One question at a time on the terminal, however many agents ask at once. */
class PromptQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(work, work);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

async function askLine(terminal: PromptTerminal, text: string, signal: AbortSignal): Promise<string> {
  await terminal.beforePrompt?.();
  const readline = createInterface({ input: terminal.input, output: terminal.output, terminal: false });
  try {
    return await readline.question(text, { signal });
  } finally {
    readline.close();
  }
}

/**
 * Asks the person at the terminal to approve a write (`aether run` on a TTY). The prompt
 * shows the tool, what / how / why and the arguments; only `y` or `yes` approves. The tool
 * manager's timeout aborts the question and denies.
 */
export class TerminalApprovalGate implements ApprovalGate {
  readonly via = 'terminal';
  readonly #terminal: PromptTerminal;
  readonly #queue: PromptQueue;

  constructor(terminal: PromptTerminal, queue = new PromptQueue()) {
    this.#terminal = terminal;
    this.#queue = queue;
  }

  /** A questioner for the `aether__ask_user` tool sharing this gate's terminal and queue. */
  questioner(): UserQuestioner {
    return {
      ask: (question: string, caller: OwnToolCaller, signal: AbortSignal) =>
        this.#queue.run(async () => {
          const answer = await askLine(
            this.#terminal,
            `\n? ${caller.agentId || 'an agent'} asks: ${flat(question, 500)}\n> `,
            signal,
          );
          return answer.trim() === '' ? '(no answer)' : answer.trim();
        }),
    };
  }

  ask(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision> {
    return this.#queue.run(async () => {
      const seconds = Math.round(request.timeoutMs / 1_000);
      const lines = [
        '',
        `! approval needed: ${request.toolName} (server ${request.server}) for agent ${request.agentId}`,
        `  what:  ${flat(request.what, 200)}`,
        `  how:   ${flat(request.how, 200)}`,
        `  why:   ${flat(request.why, 300)}`,
        `  input: ${flat(JSON.stringify(request.input), 500)}`,
        `allow this? [y/N] (denied after ${seconds} s) `,
      ];
      const answer = (await askLine(this.#terminal, lines.join('\n'), signal)).trim().toLowerCase();
      return answer === 'y' || answer === 'yes'
        ? { approved: true, reason: 'approved at the terminal', decidedBy: 'user:terminal' }
        : { approved: false, reason: 'refused at the terminal', decidedBy: 'user:terminal' };
    });
  }
}
