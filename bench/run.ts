// `npm run bench [-- --quick] [-- --only <name>]`: runs the benchmarks and writes
// BENCHMARKS.md (machine, date, one section per benchmark). Each benchmark is a module
// exporting a `Benchmark`; register new ones in `BENCHMARKS` below.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { coreBenchmark } from './core-benchmark.ts';
import { knowledgeBenchmark } from './knowledge-benchmark.ts';
import { orchestrationBenchmark } from './orchestration-benchmark.ts';
import { serverBenchmark } from './server-benchmark.ts';
import type { Benchmark } from './stats.ts';
import { toolsBenchmark } from './tools-benchmark.ts';

const BENCHMARKS: Benchmark[] = [
  coreBenchmark,
  orchestrationBenchmark,
  knowledgeBenchmark,
  toolsBenchmark,
  serverBenchmark,
];

const quick = process.argv.includes('--quick');
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex === -1 ? undefined : process.argv[onlyIndex + 1];
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
const date = new Date().toISOString().slice(0, 10);
console.log(`machine: ${machine}`);

// Each benchmark's section sits between markers, so a run of some benchmarks (`--only`)
// replaces their sections and keeps the others, each with the date and machine it was
// measured on.
const file = join(import.meta.dirname, '..', 'BENCHMARKS.md');
const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
const sections = new Map<string, string>();
for (const benchmark of BENCHMARKS) {
  const kept = new RegExp(
    `<!-- bench:${benchmark.name} -->\\n([\\s\\S]*?)<!-- /bench:${benchmark.name} -->`,
  ).exec(previous);
  if (kept?.[1] !== undefined) sections.set(benchmark.name, kept[1]);
}
for (const benchmark of BENCHMARKS) {
  if (only !== undefined && benchmark.name !== only) continue;
  console.log(`── ${benchmark.name} …`);
  const body = await benchmark.run({ quick });
  sections.set(
    benchmark.name,
    `_Measured ${date}${quick ? ' (--quick)' : ''}: ${machine}._\n\n${body.trim()}\n`,
  );
}
const body = BENCHMARKS.filter((benchmark) => sections.has(benchmark.name))
  .map(
    (benchmark) =>
      `<!-- bench:${benchmark.name} -->\n${sections.get(benchmark.name)}<!-- /bench:${benchmark.name} -->\n`,
  )
  .join('\n');
writeFileSync(
  file,
  `# Benchmarks\n\nMeasured with \`npm run bench\` (\`npm run bench -- --only <name>\` for one of: ${BENCHMARKS.map((benchmark) => benchmark.name).join(', ')}).\nNumbers move ±20 % with other load on this 2-core machine; compare runs made together.\n\n${body}`,
);
console.log(`wrote ${file}`);
