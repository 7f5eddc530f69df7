import type { ToolHost } from '../contracts/tools.ts';

/** A tool host with no tools: every request is denied as not registered (fail closed). */
export function createEmptyToolHost(): ToolHost {
  return {
    listTools: async () => [],
    call: async (request) => ({ status: 'denied', reason: `tool "${request.toolName}" is not registered` }),
  };
}
