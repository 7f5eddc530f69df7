#!/usr/bin/env node
// The `aether` command. Node runs our TypeScript directly (type stripping, on by default
// from Node 22.18 and 23.6); on an older supported Node we re-run with the flag.
import { spawnSync } from 'node:child_process';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// Compiled code is cached on disk (Node 22.1+), so every start after the first skips
// parsing and compiling Aether and its dependencies again.
module.enableCompileCache?.();

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
if (process.features.typescript) {
  const { runCli } = await import(main);
  await runCli();
} else {
  const result = spawnSync(
    process.execPath,
    ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', main, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exit(result.status ?? 1);
}
