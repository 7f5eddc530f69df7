// `npm run bench [-- --quick] [-- --only <name>]`: runs the benchmarks and writes
// BENCHMARKS.md (machine, date, one section per benchmark). Each benchmark is a module
// exporting a `Benchmark`; register new ones in `BENCHMARKS` below.
import { writeFileSync } from 'node:fs';
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

const sections: string[] = [];
for (const benchmark of BENCHMARKS) {
  if (only !== undefined && benchmark.name !== only) continue;
  console.log(`── ${benchmark.name} …`);
  sections.push(await benchmark.run({ quick }));
}
const file = join(import.meta.dirname, '..', 'BENCHMARKS.md');
writeFileSync(
  file,
  `# Benchmarks\n\nMeasured with \`npm run bench\` on ${date}: ${machine}.\nNumbers move ±20 % with other load on this 2-core machine; compare runs made together.\n\n${sections.join('\n')}`,
);
console.log(`wrote ${file}`);
