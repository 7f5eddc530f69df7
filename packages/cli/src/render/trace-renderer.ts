import type { RunEvent } from '@aether/core';

/** Where the renderer writes. `isTTY` decides colours and the spinner. */
export interface TraceOutput {
  write(text: string): void;
  isTTY?: boolean;
}

const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function formatUsd(value: number): string {
  return value === 0 ? '$0' : value < 0.01 ? `$${value.toFixed(5)}` : `$${value.toFixed(4)}`;
}

/**
 * Prints a run's trace as lines a person can follow: thought / action / observation / cost,
 * then the answer. Used live (with a spinner while the model works, on a terminal) and for
 * `aether replay` over stored events: the same events give the same lines.
 */
export class TraceRenderer {
  readonly #out: TraceOutput;
  readonly #status: TraceOutput | undefined;
  readonly #color: boolean;
  readonly #texts = new Map<string, string>();
  #spinnerTimer: ReturnType<typeof setInterval> | undefined;
  #spinnerLabel = '';
  #frame = 0;
  #spinnerShown = false;

  /**
   * @param out where trace lines go (stdout)
   * @param status where the spinner goes (stderr); only used when it is a terminal
   */
  constructor(out: TraceOutput, status?: TraceOutput) {
    this.#out = out;
    this.#status = status?.isTTY ? status : undefined;
    this.#color = out.isTTY === true;
  }

  #paint(code: string, text: string): string {
    return this.#color ? `\u001b[${code}m${text}\u001b[0m` : text;
  }

  #line(label: string, code: string, text: string): void {
    this.#clearSpinner();
    this.#out.write(`${this.#paint(code, label.padEnd(12))}${text}\n`);
    this.#drawSpinner();
  }

  /** Renders one event. */
  render(event: RunEvent): void {
    switch (event.type) {
      case 'run.started':
        this.#line('run', '1', `${event.runId} · agent ${event.agentId} · model ${event.model}`);
        this.#line('goal', '1', truncate(event.goal, 200));
        break;
      case 'run.resumed':
        this.#line('resumed', '33', `after event ${event.lastSeq}`);
        break;
      case 'step.started':
        this.#spin(`${event.agentId} is thinking`);
        break;
      case 'llm.request':
        break;
      case 'llm.fallback':
        this.#line('fallback', '33', `${event.from} → ${event.to} (${truncate(event.reason, 120)})`);
        break;
      case 'agent.thought':
        this.#line('thought', '2', `${event.agentId}: ${truncate(event.text, 300)}`);
        break;
      case 'text.delta': {
        const text = (this.#texts.get(event.id) ?? '') + event.delta;
        this.#texts.set(event.id, text);
        this.#spin(`${event.agentId} is writing (${text.length} chars)`);
        break;
      }
      case 'text.end':
        break;
      case 'tool.requested': {
        const pending = [...this.#texts.entries()].filter(([id]) => id.startsWith(event.stepId));
        for (const [id, text] of pending) {
          if (text.trim() !== '') this.#line('thought', '2', `${event.agentId}: ${truncate(text, 300)}`);
          this.#texts.delete(id);
        }
        this.#line(
          'action',
          '36',
          `${event.agentId} → ${event.toolName}(${truncate(JSON.stringify(event.input), 160)})`,
        );
        break;
      }
      case 'tool.approved':
        this.#line('approved', '32', `${event.toolName}: ${event.reason}`);
        break;
      case 'tool.denied':
        this.#line('denied', '31', `${event.toolName}: ${event.reason}`);
        break;
      case 'tool.result':
        this.#line(
          'observation',
          event.isError ? '31' : '34',
          `${event.toolName} ← ${truncate(JSON.stringify(event.output), 200)}`,
        );
        break;
      case 'approval.requested':
        this.#stopSpinner();
        this.#line('approval', '33', `${event.toolName}: waiting for a decision (${event.via})`);
        break;
      case 'tool.quarantined':
        this.#line('quarantined', '31', `${event.toolName}: ${event.reason}`);
        break;
      case 'mcp.server.failed':
        this.#line(
          'mcp failed',
          '31',
          `${event.server}: ${event.error.code}: ${truncate(event.error.message, 200)}`,
        );
        break;
      case 'mcp.server.restarted':
        this.#line('mcp restart', '33', `${event.server}: ${event.reason}`);
        break;
      case 'plan.created':
        this.#line(
          'plan',
          '1',
          `${event.items.length} items${event.knowledgeSources.length > 0 ? ` · from ${event.knowledgeSources.join(', ')}` : ''}`,
        );
        for (const item of event.items) {
          const after = item.dependsOn.length > 0 ? ` (after ${item.dependsOn.join(', ')})` : '';
          this.#line('', '0', `☐ ${item.id} ${truncate(item.title, 90)} [${item.capability}]${after}`);
        }
        break;
      case 'checklist.updated': {
        const mark = { pending: '☐', in_progress: '◐', done: '☑', failed: '☒', skipped: '–' }[
          event.item.status
        ];
        this.#line(
          'checklist',
          event.item.status === 'failed' ? '31' : '2',
          `${mark} ${event.item.id} ${event.item.status}${event.item.owner === null ? '' : ` · ${event.item.owner}`}`,
        );
        break;
      }
      case 'route.decided':
        this.#line(
          'route',
          event.agentId === null ? '31' : '35',
          `${event.itemId} → ${event.agentId ?? 'nobody'} · ${event.strategy} ${event.confidence.toFixed(2)} · ${truncate(event.reason, 100)}`,
        );
        break;
      case 'item.started':
        this.#line('item', '36', `${event.itemId} · ${event.agentId} · attempt ${event.attempt}`);
        this.#spin(`${event.agentId} is working on ${event.itemId}`);
        break;
      case 'item.completed':
        this.#line(
          event.ok ? 'item done' : 'item failed',
          event.ok ? '32' : '31',
          `${event.itemId} · ${event.agentId} · ${truncate(event.summary, 140)}`,
        );
        break;
      case 'verification.completed':
        this.#line(
          'verified',
          event.passed ? '32' : '31',
          `${event.itemId} · ${event.passed ? 'pass' : 'fail'} · ${truncate(event.reason, 140)}`,
        );
        break;
      case 'escalation':
        this.#line(
          'escalation',
          event.accepted ? '33' : '31',
          `${event.itemId}: ${event.from} → ${event.to ?? 'nobody'} (priority ${event.priority}, ${event.accepted ? 'accepted' : 'refused'}) · ${truncate(event.reason, 100)}`,
        );
        break;
      case 'breaker.tripped':
        this.#line(
          'breaker',
          '31',
          `${event.agentId} tripped after ${event.failures} failures in ${event.windowMs} ms`,
        );
        break;
      case 'synthesis.completed':
        this.#line(
          'synthesis',
          '1',
          `${event.strategy} · ${event.agreements.length} agreements · ${event.contradictions.length} contradictions · ${event.unique.length} unique`,
        );
        for (const contradiction of event.contradictions) {
          this.#line(
            '',
            '33',
            `⚠ ${truncate(contradiction.topic, 80)}: ${truncate(contradiction.resolution, 100)}`,
          );
        }
        break;
      case 'handoff':
        this.#line('handoff', '35', `${event.from} → ${event.to} · ${truncate(event.reason, 120)}`);
        break;
      case 'handoff.blocked':
        this.#line('handoff', '31', `${event.from} ↛ ${event.to}: ${event.reason}`);
        break;
      case 'guard.flagged':
        this.#line(
          'guard',
          event.severity === 'info' ? '2' : '33',
          `${event.kind}: ${truncate(event.message, 160)}`,
        );
        break;
      case 'guard.blocked':
        this.#line('guard', '31', `blocked ${event.kind}: ${truncate(event.message, 160)}`);
        break;
      case 'budget.warning':
        this.#line(
          'budget',
          '33',
          `${event.kind} at ${Math.round((event.used / event.limit) * 100)}% (${event.used} of ${event.limit})`,
        );
        break;
      case 'progress.loop':
        this.#line('loop', '31', `${event.agentId}: ${event.message}`);
        break;
      case 'progress.stall':
        this.#line('stall', '33', event.message);
        break;
      case 'llm.usage':
        this.#line(
          'cost',
          '2',
          `${event.model} · ${event.inputTokens} in / ${event.outputTokens} out · ${formatUsd(event.costUsd)} · ${event.durationMs} ms`,
        );
        break;
      case 'run.completed':
        this.#stopSpinner();
        this.#line(
          'completed',
          '32',
          `${event.usage.inputTokens} in / ${event.usage.outputTokens} out · ${formatUsd(event.usage.costUsd)}`,
        );
        this.#out.write(`\n${event.answer}\n`);
        break;
      case 'run.failed':
        this.#stopSpinner();
        this.#line('failed', '31', `${event.reason}: ${event.error.code}: ${event.error.message}`);
        break;
      case 'run.cancelled':
        this.#stopSpinner();
        this.#line('cancelled', '33', event.reason);
        break;
      default: {
        const exhaustive: never = event;
        throw new Error(`unknown event ${JSON.stringify(exhaustive)}`);
      }
    }
  }

  /** Stops the spinner; call when the run ends however it ends. */
  close(): void {
    this.#stopSpinner();
  }

  #spin(label: string): void {
    if (this.#status === undefined) return;
    this.#spinnerLabel = label;
    if (this.#spinnerTimer === undefined) {
      this.#spinnerTimer = setInterval(() => {
        this.#frame = (this.#frame + 1) % SPINNER_FRAMES.length;
        this.#drawSpinner();
      }, 80);
      this.#spinnerTimer.unref();
    }
    this.#drawSpinner();
  }

  #drawSpinner(): void {
    if (this.#status === undefined || this.#spinnerTimer === undefined) return;
    this.#status.write(`\r\u001b[2K${SPINNER_FRAMES[this.#frame]} ${this.#spinnerLabel}`);
    this.#spinnerShown = true;
  }

  #clearSpinner(): void {
    if (this.#status !== undefined && this.#spinnerShown) {
      this.#status.write('\r\u001b[2K');
      this.#spinnerShown = false;
    }
  }

  #stopSpinner(): void {
    if (this.#spinnerTimer !== undefined) clearInterval(this.#spinnerTimer);
    this.#spinnerTimer = undefined;
    this.#clearSpinner();
  }
}
