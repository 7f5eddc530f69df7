import { loadSettings } from '@aether/core';
import { startWorker } from '@aether/server';
import { aetherPaths } from '../context.ts';
import type { CommandIo } from '../output.ts';
import { untilSignal } from './serve.ts';

/** `aether worker`: executes queued runs (distributed mode). Stops cleanly on Ctrl-C / SIGTERM. */
export async function workerCommand(io: CommandIo): Promise<void> {
  const paths = aetherPaths(io);
  const settings = await loadSettings(paths.settings);
  const worker = await startWorker({ env: io.env, home: paths.home, settings });
  io.stderr.write(
    `aether worker: ${worker.executor.owner} executing up to ${settings.server.workerConcurrency} runs at once\n`,
  );
  const signal = await untilSignal();
  io.stderr.write(`aether worker: ${signal}, stopping\n`);
  await worker.close();
}
