import { AetherError, loadSettings } from '@aether/core';
import { startServer } from '@aether/server';
import { aetherPaths } from '../context.ts';
import type { CommandIo } from '../output.ts';

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new AetherError('INVALID_OPTION', `--port: expected 0–65535, got "${value}"`, { category: 'user' });
  }
  return port;
}

/**
 * `aether serve [--port N] [--host H]`: the HTTP API. Embedded with no configuration
 * (PGlite, in-process workers and events); distributed with `DATABASE_URL` and `REDIS_URL`
 * (runs are executed by `aether worker` processes). Stops cleanly on Ctrl-C / SIGTERM.
 */
export async function serveCommand(io: CommandIo, options: { port?: string; host?: string }): Promise<void> {
  const paths = aetherPaths(io);
  const settings = await loadSettings(paths.settings);
  const port = parsePort(options.port);
  const server = await startServer({
    env: io.env,
    home: paths.home,
    settings,
    ...(port === undefined ? {} : { port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    logger: settings.logging.level === 'silent' ? false : { level: settings.logging.level },
  });
  io.stderr.write(
    `aether serve: listening on ${server.url} (${server.context.mode}${server.context.mode === 'embedded' ? `, ${settings.server.workerConcurrency} workers in this process` : ', runs executed by aether worker'}); API docs at ${server.url}/docs\n`,
  );
  const signal = await untilSignal();
  io.stderr.write(`aether serve: ${signal}, stopping\n`);
  await server.close();
}
