/** Summary statistics of a sample, in the sample's unit. */
export interface Summary {
  count: number;
  median: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Median, p99 (nearest rank), mean, min and max of `values`. */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (quantile: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] ?? 0;
  return {
    count: sorted.length,
    median: at(0.5),
    p99: at(0.99),
    mean: sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length),
    min: sorted[0] ?? 0,
    max: sorted.at(-1) ?? 0,
  };
}

/** Formats microseconds. */
export function us(value: number): string {
  return `${Math.round(value)} µs`;
}

/** One benchmark: `run` measures and returns its BENCHMARKS.md section (Markdown). */
export interface Benchmark {
  name: string;
  run(options: { quick: boolean }): Promise<string>;
}
