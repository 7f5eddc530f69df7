export {
  type FakeLlmApi,
  type FakeLlmEnvProvider,
  type FakeLlmFailure,
  type FakeLlmFinishReason,
  type FakeLlmLatency,
  type FakeLlmMessage,
  type FakeLlmProvider,
  type FakeLlmReply,
  type FakeLlmRequest,
  type FakeLlmResponder,
  type FakeLlmScriptEntry,
  type FakeLlmServer,
  type FakeLlmServerOptions,
  type FakeLlmToolCall,
  type FakeLlmUsage,
  startFakeLlmServer,
} from './fake-llm-server.ts';
export { FakeModel, type FakeReply, type FakeScriptEntry } from './fake-model.ts';
export { type FakeTool, FakeToolHost } from './fake-tool-host.ts';
export { makePdf, makePng } from './knowledge-fixtures.ts';
