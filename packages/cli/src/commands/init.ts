import { relative } from 'node:path';
import { aetherPaths } from '../context.ts';
import type { CommandIo } from '../output.ts';
import { scaffoldWorkspace } from '../workspace.ts';

/** `aether init`: scaffolds `$AETHER_HOME`; safe to run again (existing files are kept). */
export async function initCommand(io: CommandIo): Promise<void> {
  const paths = aetherPaths(io);
  const report = await scaffoldWorkspace(paths);
  const show = (path: string) => relative(io.cwd, path) || path;
  for (const path of report.created) io.stdout.write(`created  ${show(path)}\n`);
  for (const path of report.kept) io.stdout.write(`kept     ${show(path)}\n`);
  io.stdout.write(
    report.created.length === 0
      ? `${show(paths.home)} is already set up; nothing changed\n`
      : `\nready: set a provider key (e.g. OPENAI_API_KEY) and run: npx aether run "<goal>"\n`,
  );
}
