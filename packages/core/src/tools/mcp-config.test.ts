import { describe, expect, it } from 'vitest';
import { mcpServerEntry, mcpServerSecretNames, mergeMcpServers, parseMcpConfigText } from './mcp-config.ts';

describe('mcp.json', () => {
  it('reads the mcpServers shape other clients use, with Aether additions', () => {
    const servers = parseMcpConfigText(
      JSON.stringify({
        mcpServers: {
          filesystem: { command: 'npx', args: ['-y', 'server-filesystem', '.'], readOnlyTools: ['read_*'] },
          tracker: {
            url: 'https://mcp.example.com/mcp',
            headers: { Authorization: 'Bearer $' + '{secret:TRACKER_TOKEN}' },
            trusted: true,
          },
          legacy: { type: 'sse', url: 'https://old.example.com/sse', alwaysAllow: ['x'] },
        },
      }),
      '.aether/mcp.json',
    );
    expect(servers.map((server) => [server.name, server.transport])).toEqual([
      ['filesystem', 'stdio'],
      ['tracker', 'http'],
      ['legacy', 'sse'],
    ]);
    expect(mcpServerSecretNames(servers[1]!)).toEqual(['TRACKER_TOKEN']);
    expect(mcpServerEntry(servers[0]!)).toEqual({
      command: 'npx',
      args: ['-y', 'server-filesystem', '.'],
      readOnlyTools: ['read_*'],
    });
    expect(parseMcpConfigText('{}', 'x')).toEqual([]);
  });

  it('names the file, the server and the field of every mistake', () => {
    const cases: Array<[string, RegExp]> = [
      ['{ not json', /\.aether\/mcp\.json: not valid JSON/],
      ['{"mcpServers": []}', /\.aether\/mcp\.json: mcpServers: /],
      ['{"mcpServers": {"a": {}}}', /mcpServers\.a: either "command" \(stdio\) or "url"/],
      ['{"mcpServers": {"a": {"command": "x", "url": "http://y"}}}', /mcpServers\.a: either/],
      ['{"mcpServers": {"a": {"command": "x", "args": "-y"}}}', /mcpServers\.a\.args: /],
      ['{"mcpServers": {"a": {"url": "ftp://x"}}}', /mcpServers\.a\.url: expected an http/],
      ['{"mcpServers": {"Bad_Name": {"command": "x"}}}', /mcpServers\.Bad_Name: a server name is/],
      [
        '{"mcpServers": {"a": {"command": "x", "transport": "sse"}}}',
        /runs a stdio server, but transport is "sse"/,
      ],
      ['{"mcpServers": {"a": {"command": "x", "env": {"K": 1}}}}', /mcpServers\.a\.env\.K: /],
    ];
    for (const [text, pattern] of cases) {
      expect(() => parseMcpConfigText(text, '.aether/mcp.json'), text).toThrow(pattern);
      expect(() => parseMcpConfigText(text, '.aether/mcp.json')).toThrow(
        expect.objectContaining({ code: 'MCP_CONFIG_INVALID' }),
      );
    }
  });

  it('keeps the file entry when the database has the same name', () => {
    const file = parseMcpConfigText('{"mcpServers": {"a": {"command": "x"}}}', 'f');
    const database = parseMcpConfigText(
      '{"mcpServers": {"a": {"command": "y"}, "b": {"command": "z"}}}',
      'd',
    );
    const merged = mergeMcpServers(file, database);
    expect(merged.servers.map((server) => server.name)).toEqual(['a', 'b']);
    expect(merged.shadowed).toEqual(['a']);
  });
});
