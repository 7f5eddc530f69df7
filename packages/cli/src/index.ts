export { buildProgram, main } from './main.ts';
export type { CommandIo } from './output.ts';
