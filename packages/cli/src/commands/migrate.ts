import { runMigrations } from '@aether/server';
import { aetherPaths } from '../context.ts';
import type { CommandIo } from '../output.ts';

/** `aether migrate`: applies pending migrations to `DATABASE_URL` (or the embedded database). */
export async function migrateCommand(io: CommandIo, options: { json?: boolean }): Promise<void> {
  const report = await runMigrations({ env: io.env, home: aetherPaths(io).home });
  if (options.json === true) {
    io.stdout.write(
      `${JSON.stringify({ version: report.version, applied: report.applied.map((m) => m.name), vector: report.vector })}\n`,
    );
    return;
  }
  io.stdout.write(
    report.applied.length === 0
      ? `schema is current (version ${report.version})\n`
      : `applied ${report.applied.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`).join(', ')}; schema at version ${report.version}\n`,
  );
}
