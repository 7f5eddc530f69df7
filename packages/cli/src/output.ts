import { AetherError } from '@aether/core';

/** The streams a command writes to; injectable for tests. */
export interface CommandIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** Exit codes of the `aether` command. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  cancelled: 130,
} as const;

/** Thrown by a command to end with an exit code after it has printed what it had to say. */
export class ExitRequest extends Error {
  readonly exitCode: number;
  constructor(exitCode: number) {
    super(`exit ${exitCode}`);
    this.exitCode = exitCode;
  }
}

/** Prints an error as `code: message` plus a hint, never a stack trace unless `debug`. */
export function printError(io: CommandIo, error: unknown, debug: boolean): number {
  if (error instanceof ExitRequest) return error.exitCode;
  if (error instanceof AetherError) {
    io.stderr.write(`${error.code}: ${error.message}\n`);
    if (error.hint !== undefined) io.stderr.write(`hint: ${error.hint}\n`);
    if (debug && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
    return error.category === 'user' ? EXIT.usage : EXIT.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`INTERNAL_ERROR: ${message}\n`);
  if (debug && error instanceof Error && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
  else io.stderr.write('hint: run again with --debug for details\n');
  return EXIT.failed;
}

/** Writes one JSON value on its own line. */
export function printJson(io: CommandIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}
