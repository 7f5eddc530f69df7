import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockedAddressReason, checkMcpUrl, createGuardedFetch, type UrlGuardOptions } from './url-guard.ts';

const none: UrlGuardOptions = { allowedHosts: [], resolve: async () => ['93.184.216.34'] };

async function refusal(url: string, options: UrlGuardOptions = none): Promise<string> {
  try {
    await checkMcpUrl(url, options);
  } catch (error) {
    expect(error).toMatchObject({ code: 'MCP_URL_REFUSED' });
    return (error as Error).message;
  }
  throw new Error(`${url} was allowed`);
}

describe('MCP URL guard', () => {
  it('refuses loopback, private, link-local and metadata addresses in every spelling', async () => {
    for (const url of [
      'http://127.0.0.1/mcp',
      'http://127.1/mcp',
      'http://2130706433/mcp',
      'http://0x7f000001/mcp',
      'http://0177.0.0.1/mcp',
      'http://%31%32%37.0.0.1/mcp',
      'http://0.0.0.0/mcp',
      'http://10.1.2.3/mcp',
      'http://172.16.0.1/mcp',
      'http://192.168.1.1/mcp',
      'http://169.254.169.254/latest/meta-data',
      'http://100.64.0.1/',
      'http://[::1]/mcp',
      'http://[::]/mcp',
      'http://[::ffff:127.0.0.1]/mcp',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[64:ff9b::a9fe:a9fe]/',
      'http://[2002:7f00:1::]/',
      'http://[fe80::1]/',
      'http://[fd00:ec2::254]/',
      'http://localhost:8080/mcp',
      'http://api.localhost/',
      'http://metadata.google.internal/computeMetadata/v1/',
    ]) {
      await refusal(url);
    }
  });

  it('refuses a name that resolves to a private address, and says which', async () => {
    const message = await refusal('https://innocent.example.com/mcp?token=abc', {
      allowedHosts: [],
      resolve: async () => ['93.184.216.34', '10.0.0.5'],
    });
    expect(message).toContain('resolves to 10.0.0.5');
    expect(message).not.toContain('token=abc');
  });

  it('allows public addresses, and private ones that settings list (host, address or range)', async () => {
    expect((await checkMcpUrl('https://mcp.example.com/mcp', none)).hostname).toBe('mcp.example.com');
    expect((await checkMcpUrl('http://8.8.8.8/', none)).hostname).toBe('8.8.8.8');
    expect(await checkMcpUrl('http://127.0.0.1:3001/mcp', { allowedHosts: ['127.0.0.1'] })).toBeInstanceOf(
      URL,
    );
    expect(await checkMcpUrl('http://10.2.3.4/', { allowedHosts: ['10.0.0.0/8'] })).toBeInstanceOf(URL);
    expect(await checkMcpUrl('http://localhost:1/', { allowedHosts: ['localhost'] })).toBeInstanceOf(URL);
    expect(await checkMcpUrl('http://[::1]:1/', { allowedHosts: ['::1'] })).toBeInstanceOf(URL);
    await refusal('http://10.2.3.4/', { allowedHosts: ['10.9.0.0/16'], resolve: none.resolve });
  });

  it('refuses other schemes, credentials in the URL, and garbage, with a clear code', async () => {
    await expect(checkMcpUrl('ftp://example.com/', none)).rejects.toMatchObject({ code: 'MCP_URL_INVALID' });
    await expect(checkMcpUrl('not a url', none)).rejects.toMatchObject({ code: 'MCP_URL_INVALID' });
    await refusal('https://user:pass@example.com/');
    await expect(
      checkMcpUrl('https://nowhere.invalid/', {
        allowedHosts: [],
        resolve: async () => Promise.reject(new Error('NXDOMAIN')),
      }),
    ).rejects.toMatchObject({ code: 'MCP_URL_UNRESOLVED' });
  });

  it('describes blocked addresses', () => {
    expect(blockedAddressReason('8.8.8.8')).toBeUndefined();
    expect(blockedAddressReason('2606:4700::1111')).toBeUndefined();
    expect(blockedAddressReason('::ffff:10.0.0.1')).toContain('10.0.0.1');
  });
});

describe('guarded fetch', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/moved') response.writeHead(307, { location: '/final' }).end();
      else if (request.url === '/to-metadata')
        response.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      else if (request.url === '/elsewhere') response.writeHead(302, { location: 'http://8.8.8.8/' }).end();
      else if (request.url === '/loop') response.writeHead(302, { location: '/loop' }).end();
      else
        response
          .writeHead(200, { 'content-type': 'text/plain' })
          .end(`at ${request.url} via ${request.method}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const guarded = () => createGuardedFetch({ allowedHosts: ['127.0.0.1'] });

  it('checks the first URL', async () => {
    await expect(createGuardedFetch({ allowedHosts: [] })(`${base}/`)).rejects.toMatchObject({
      code: 'MCP_URL_REFUSED',
    });
  });

  it('follows same-origin redirects, keeping the method for 307', async () => {
    const response = await guarded()(`${base}/moved`, { method: 'POST', body: '{}' });
    expect(await response.text()).toBe('at /final via POST');
  });

  it('refuses redirects to a private address, to another origin, and loops', async () => {
    await expect(guarded()(`${base}/to-metadata`)).rejects.toThrow(/169\.254\.169\.254/);
    await expect(guarded()(`${base}/elsewhere`)).rejects.toThrow(/another origin/);
    await expect(guarded()(`${base}/loop`)).rejects.toThrow(/more than 5 redirects/);
  });
});
