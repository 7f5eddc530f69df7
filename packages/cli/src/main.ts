import { Command, CommanderError } from 'commander';
import { type CommandIo, EXIT, printError } from './output.ts';

// Commands load on use, so `aether --help` or `aether run` never loads what other commands
// need (the server, MCP clients, parsers).
const agentsCommand = async (...args: Parameters<typeof import('./commands/agents.ts')['agentsCommand']>) =>
  (await import('./commands/agents.ts')).agentsCommand(...args);
const teamsCommand = async (...args: Parameters<typeof import('./commands/agents.ts')['teamsCommand']>) =>
  (await import('./commands/agents.ts')).teamsCommand(...args);
const configEditCommand = async (
  ...args: Parameters<typeof import('./commands/config.ts')['configEditCommand']>
) => (await import('./commands/config.ts')).configEditCommand(...args);
const configGetCommand = async (
  ...args: Parameters<typeof import('./commands/config.ts')['configGetCommand']>
) => (await import('./commands/config.ts')).configGetCommand(...args);
const configPathCommand = async (
  ...args: Parameters<typeof import('./commands/config.ts')['configPathCommand']>
) => (await import('./commands/config.ts')).configPathCommand(...args);
const configResetCommand = async (
  ...args: Parameters<typeof import('./commands/config.ts')['configResetCommand']>
) => (await import('./commands/config.ts')).configResetCommand(...args);
const configSetCommand = async (
  ...args: Parameters<typeof import('./commands/config.ts')['configSetCommand']>
) => (await import('./commands/config.ts')).configSetCommand(...args);
const configShowCommand = async (
  ...args: Parameters<typeof import('./commands/config.ts')['configShowCommand']>
) => (await import('./commands/config.ts')).configShowCommand(...args);
const configValidateCommand = async (
  ...args: Parameters<typeof import('./commands/config.ts')['configValidateCommand']>
) => (await import('./commands/config.ts')).configValidateCommand(...args);
const eventsCommand = async (...args: Parameters<typeof import('./commands/history.ts')['eventsCommand']>) =>
  (await import('./commands/history.ts')).eventsCommand(...args);
const replayCommand = async (...args: Parameters<typeof import('./commands/history.ts')['replayCommand']>) =>
  (await import('./commands/history.ts')).replayCommand(...args);
const runsCommand = async (...args: Parameters<typeof import('./commands/history.ts')['runsCommand']>) =>
  (await import('./commands/history.ts')).runsCommand(...args);
const initCommand = async (...args: Parameters<typeof import('./commands/init.ts')['initCommand']>) =>
  (await import('./commands/init.ts')).initCommand(...args);
const kbAddCommand = async (...args: Parameters<typeof import('./commands/kb.ts')['kbAddCommand']>) =>
  (await import('./commands/kb.ts')).kbAddCommand(...args);
const kbListCommand = async (...args: Parameters<typeof import('./commands/kb.ts')['kbListCommand']>) =>
  (await import('./commands/kb.ts')).kbListCommand(...args);
const kbReembedCommand = async (...args: Parameters<typeof import('./commands/kb.ts')['kbReembedCommand']>) =>
  (await import('./commands/kb.ts')).kbReembedCommand(...args);
const kbRemoveCommand = async (...args: Parameters<typeof import('./commands/kb.ts')['kbRemoveCommand']>) =>
  (await import('./commands/kb.ts')).kbRemoveCommand(...args);
const kbSearchCommand = async (...args: Parameters<typeof import('./commands/kb.ts')['kbSearchCommand']>) =>
  (await import('./commands/kb.ts')).kbSearchCommand(...args);
const mcpAddCommand = async (...args: Parameters<typeof import('./commands/mcp.ts')['mcpAddCommand']>) =>
  (await import('./commands/mcp.ts')).mcpAddCommand(...args);
const mcpApproveCommand = async (
  ...args: Parameters<typeof import('./commands/mcp.ts')['mcpApproveCommand']>
) => (await import('./commands/mcp.ts')).mcpApproveCommand(...args);
const mcpListCommand = async (...args: Parameters<typeof import('./commands/mcp.ts')['mcpListCommand']>) =>
  (await import('./commands/mcp.ts')).mcpListCommand(...args);
const mcpRemoveCommand = async (
  ...args: Parameters<typeof import('./commands/mcp.ts')['mcpRemoveCommand']>
) => (await import('./commands/mcp.ts')).mcpRemoveCommand(...args);
const mcpTestCommand = async (...args: Parameters<typeof import('./commands/mcp.ts')['mcpTestCommand']>) =>
  (await import('./commands/mcp.ts')).mcpTestCommand(...args);
const migrateCommand = async (
  ...args: Parameters<typeof import('./commands/migrate.ts')['migrateCommand']>
) => (await import('./commands/migrate.ts')).migrateCommand(...args);
const resumeCommand = async (...args: Parameters<typeof import('./commands/resume.ts')['resumeCommand']>) =>
  (await import('./commands/resume.ts')).resumeCommand(...args);
const runCommand = async (...args: Parameters<typeof import('./commands/run.ts')['runCommand']>) =>
  (await import('./commands/run.ts')).runCommand(...args);
const secretsListCommand = async (
  ...args: Parameters<typeof import('./commands/secrets.ts')['secretsListCommand']>
) => (await import('./commands/secrets.ts')).secretsListCommand(...args);
const secretsRemoveCommand = async (
  ...args: Parameters<typeof import('./commands/secrets.ts')['secretsRemoveCommand']>
) => (await import('./commands/secrets.ts')).secretsRemoveCommand(...args);
const secretsRotateCommand = async (
  ...args: Parameters<typeof import('./commands/secrets.ts')['secretsRotateCommand']>
) => (await import('./commands/secrets.ts')).secretsRotateCommand(...args);
const secretsSetCommand = async (
  ...args: Parameters<typeof import('./commands/secrets.ts')['secretsSetCommand']>
) => (await import('./commands/secrets.ts')).secretsSetCommand(...args);
const serveCommand = async (...args: Parameters<typeof import('./commands/serve.ts')['serveCommand']>) =>
  (await import('./commands/serve.ts')).serveCommand(...args);
const workerCommand = async (...args: Parameters<typeof import('./commands/worker.ts')['workerCommand']>) =>
  (await import('./commands/worker.ts')).workerCommand(...args);

/** Builds the `aether` command tree over `io`. */
export function buildProgram(io: CommandIo): Command {
  const program = new Command('aether')
    .description('Aether: plan a goal, run a team of AI agents on it, and watch every step.')
    .option('--debug', 'print stack traces on errors')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  program
    .command('init')
    .description('create .aether/ with settings and a starter set of agents (safe to run twice)')
    .action(() => initCommand(io));

  program
    .command('run')
    .description('run a goal and show its trace')
    .argument('<goal>', 'what you want done, in plain language')
    .option('--agent <id>', 'run one agent on the goal (default: plan it and run a team)')
    .option(
      '--team <id>',
      'the team to run it (.aether/teams/<id>.team.yaml; default: assembled from the agents)',
    )
    .option('--model <id>', 'model to use, as provider:model (e.g. openai:gpt-4.1-mini)')
    .option('--json', 'print one JSON object at the end instead of the trace')
    .option(
      '--approve-writes <tool-glob>',
      'let writes of matching tools (e.g. "filesystem__write_*") run without asking; repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(
      (
        goal: string,
        options: { agent?: string; team?: string; model?: string; json?: boolean; approveWrites?: string[] },
      ) => runCommand(io, goal, options),
    );

  program
    .command('resume')
    .description('finish a run whose process died, without redoing its finished steps')
    .argument('<id>', 'run id (or a unique prefix)')
    .option('--json', 'print one JSON object at the end instead of the trace')
    .option('--force', "resume even if the run's process still seems alive")
    .option('--model <id>', 'model to use, as provider:model')
    .option(
      '--approve-writes <tool-glob>',
      'let writes of matching tools run without asking; repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(
      (id: string, options: { json?: boolean; force?: boolean; model?: string; approveWrites?: string[] }) =>
        resumeCommand(io, id, options),
    );

  program
    .command('runs')
    .description('list past runs, newest first')
    .option('--json', 'print a JSON array')
    .option('--limit <n>', 'how many runs to list', '50')
    .action((options: { json?: boolean; limit?: string }) => runsCommand(io, options));

  program
    .command('replay')
    .description("re-print a run's trace from the database")
    .argument('<id>', 'run id (or a unique prefix)')
    .action((id: string) => replayCommand(io, id));

  program
    .command('events')
    .description("print a run's stored events")
    .argument('<id>', 'run id (or a unique prefix)')
    .option('--json', 'one JSON object per line (NDJSON)')
    .action((id: string, options: { json?: boolean }) => eventsCommand(io, id, options));

  program
    .command('teams')
    .description('list the teams in .aether/teams')
    .option('--json', 'print a JSON array')
    .action((options: { json?: boolean }) => teamsCommand(io, options));

  program
    .command('agents')
    .description('list the agents in .aether/agents')
    .option('--json', 'print a JSON array')
    .action((options: { json?: boolean }) => agentsCommand(io, options));

  program
    .command('serve')
    .description('run the HTTP API (embedded; distributed with DATABASE_URL and REDIS_URL)')
    .option('--port <n>', 'TCP port (default: server.port)')
    .option('--host <address>', 'address to listen on (default: server.host)')
    .action((options: { port?: string; host?: string }) => serveCommand(io, options));

  program
    .command('worker')
    .description('execute queued runs (distributed mode: DATABASE_URL and REDIS_URL)')
    .action(() => workerCommand(io));

  program
    .command('migrate')
    .description('apply pending database migrations (DATABASE_URL, or the embedded database)')
    .option('--json', 'print { version, applied, vector }')
    .action((options: { json?: boolean }) => migrateCommand(io, options));

  const kb = program
    .command('kb')
    .description('the knowledge base: add documents, search them and past runs');
  kb.command('add')
    .description(
      'add files or directories (PDF, Markdown, text, HTML, code, JSON, CSV, images); unchanged files are skipped',
    )
    .argument('<paths...>', 'files or directories')
    .option(
      '--namespace <name>',
      'file them under this namespace (agents, code, messages, docs, tasks, meta)',
    )
    .option('--json', 'print what happened to each file as a JSON array')
    .action((paths: string[], options: { namespace?: string; json?: boolean }) =>
      kbAddCommand(io, paths, options),
    );
  kb.command('search')
    .description('hybrid search (vector + full text), best first')
    .argument('<query>', 'what you are looking for')
    .option('--namespace <name...>', 'only these namespaces')
    .option('--top <k>', 'how many results')
    .option('--json', 'print an array of { source, location, score, text }')
    .action((query: string, options: { namespace?: string[]; json?: boolean; top?: string }) =>
      kbSearchCommand(io, query, options),
    );
  kb.command('list')
    .description('list the documents')
    .option('--namespace <name>', 'only this namespace')
    .option('--json', 'print a JSON array')
    .action((options: { namespace?: string; json?: boolean }) => kbListCommand(io, options));
  kb.command('rm')
    .description('remove documents and their chunks')
    .argument('<sources...>', 'sources as `aether kb list` shows them')
    .action((sources: string[]) => kbRemoveCommand(io, sources));
  kb.command('reembed')
    .description('re-embed now the chunks made with another embedding model')
    .action(() => kbReembedCommand(io));

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  const mcp = program.command('mcp').description('MCP servers: the tools agents can use');
  mcp
    .command('list')
    .description('the configured servers (mcp.json and the database) and the secrets they need')
    .option('--json', 'print a JSON array')
    .action((options: { json?: boolean }) => mcpListCommand(io, options));
  mcp
    .command('add')
    .description('add a server: aether mcp add <name> -- <command> [args…], or --url <url>')
    .argument('<name>', 'server name: its tools are named <name>__<tool>')
    .argument('[command...]', 'the command that starts a stdio server (after --)')
    .option('--url <url>', 'a Streamable HTTP (or SSE) server')
    .option(
      '--header <name=value>',
      'an HTTP header (credentials as a secret reference, see README); repeatable',
      collect,
    )
    .option('--env <name=value>', 'an environment variable of the server; repeatable', collect)
    .option('--sse', 'the server speaks the older SSE transport')
    .option('--trusted', "believe the server's read-only annotations")
    .option('--read-only <tool-glob>', 'tools of the server that never write; repeatable', collect)
    .option('--database', 'store it in the database for this tenant instead of .aether/mcp.json')
    .action(
      (
        name: string,
        command: string[],
        options: {
          url?: string;
          header?: string[];
          env?: string[];
          sse?: boolean;
          trusted?: boolean;
          readOnly?: string[];
          database?: boolean;
        },
      ) => mcpAddCommand(io, name, command, options),
    );
  mcp
    .command('remove')
    .description('remove a server')
    .argument('<name>', 'server name')
    .action((name: string) => mcpRemoveCommand(io, name));
  mcp
    .command('test')
    .description('connect to a server and list its tools')
    .argument('<name>', 'server name')
    .option('--json', 'print one JSON object')
    .action((name: string, options: { json?: boolean }) => mcpTestCommand(io, name, options));
  mcp
    .command('approve')
    .description('approve again tools whose definition changed (quarantined)')
    .argument('<name>', 'server name')
    .argument('[tools...]', 'tool names (default: all quarantined tools of the server)')
    .action((name: string, tools: string[]) => mcpApproveCommand(io, name, tools));

  const secrets = program.command('secrets').description('credentials for MCP servers, encrypted at rest');
  secrets
    .command('set')
    .description('set a secret; the value is read from stdin, typed without echo, or --from-env')
    .argument('<name>', 'secret name, e.g. GITHUB_TOKEN')
    .option('--from-env <variable>', 'take the value from this environment variable')
    .action((name: string, options: { fromEnv?: string }) => secretsSetCommand(io, name, options));
  secrets
    .command('list')
    .description('secret names (never values)')
    .option('--json', 'print a JSON array')
    .action((options: { json?: boolean }) => secretsListCommand(io, options));
  secrets
    .command('rm')
    .description('remove a secret')
    .argument('<name>', 'secret name')
    .action((name: string) => secretsRemoveCommand(io, name));
  secrets
    .command('rotate')
    .description('re-wrap the data keys under a new master key (secrets are not re-encrypted)')
    .option('--new-key-env <variable>', 'the new key, when the current one comes from AETHER_MASTER_KEY')
    .action((options: { newKeyEnv?: string }) => secretsRotateCommand(io, options));

  const config = program
    .command('config')
    .description('show or change settings (.aether/settings.json)')
    .action(() => configShowCommand(io));
  config
    .command('get')
    .description("a setting's value (all settings with no key)")
    .argument('[key]', 'dotted key, e.g. execution.maxConcurrency')
    .action((key: string | undefined) => configGetCommand(io, key));
  config
    .command('set')
    .description('change a setting')
    .argument('<key>', 'dotted key')
    .argument('<value>', 'new value (JSON for lists and objects)')
    .action((key: string, value: string) => configSetCommand(io, key, value));
  config
    .command('reset')
    .description('back to defaults: everything, a group, or one key')
    .argument('[key]', 'group or dotted key')
    .action((key: string | undefined) => configResetCommand(io, key));
  config
    .command('edit')
    .description('edit the settings file in $EDITOR (saved only when valid)')
    .action(() => configEditCommand(io));
  config
    .command('validate')
    .description('check the settings file')
    .action(() => configValidateCommand(io));
  config
    .command('path')
    .description('print where the settings file is')
    .action(() => configPathCommand(io));

  return program;
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return printError(io, error, argv.includes('--debug'));
  }
}

/** Runs the CLI on this process's arguments and streams, and sets its exit code. */
export async function runCli(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  });
}

if (import.meta.main) await runCli();
