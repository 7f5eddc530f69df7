export { type FakeReply, FakeModel, type FakeScriptEntry } from './fake-model.ts';
export { type FakeTool, FakeToolHost } from './fake-tool-host.ts';
