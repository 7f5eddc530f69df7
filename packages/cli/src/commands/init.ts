import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { aetherPaths } from '../context.ts';
import { ensureMasterKeyFile } from '../master-key.ts';
import type { CommandIo } from '../output.ts';
import { mcpConfigPath } from '../tools.ts';
import { scaffoldWorkspace } from '../workspace.ts';

/** `aether init`: scaffolds `$AETHER_HOME`; safe to run again (existing files are kept). */
export async function initCommand(io: CommandIo): Promise<void> {
  const paths = aetherPaths(io);
  const report = await scaffoldWorkspace(paths);
  const mcpJson = mcpConfigPath(paths);
  try {
    await writeFile(mcpJson, `${JSON.stringify({ mcpServers: {} }, null, 2)}\n`, { flag: 'wx' });
    report.created.push(mcpJson);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    report.kept.push(mcpJson);
  }
  const key = await ensureMasterKeyFile(io, paths);
  if (key !== undefined) (key.created ? report.created : report.kept).push(key.path);
  const show = (path: string) => relative(io.cwd, path) || path;
  for (const path of report.created) io.stdout.write(`created  ${show(path)}\n`);
  for (const path of report.kept) io.stdout.write(`kept     ${show(path)}\n`);
  io.stdout.write(
    report.created.length === 0
      ? `${show(paths.home)} is already set up; nothing changed\n`
      : `\nready: set a provider key (e.g. OPENAI_API_KEY) and run: npx aether run "<goal>"\n`,
  );
}
