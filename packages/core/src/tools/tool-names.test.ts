import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesToolGlob, qualifyToolName, serverCouldMatch, serverOfToolName } from './tool-names.ts';

describe('tool names', () => {
  it('qualifies a tool by its server, safely for every provider', () => {
    expect(qualifyToolName('filesystem', 'read_file')).toBe('filesystem__read_file');
    expect(qualifyToolName('everything', 'get-sum')).toBe('everything__get-sum');
    expect(qualifyToolName('web', 'search.v2 now')).toBe('web__search_v2_now');
    const long = qualifyToolName('server', 'x'.repeat(100));
    expect(long).toHaveLength(64);
    expect(long).not.toBe(qualifyToolName('server', `${'x'.repeat(99)}y`));
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (tool) => {
        const name = qualifyToolName('srv', tool);
        expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
        expect(serverOfToolName(name)).toBe('srv');
      }),
    );
    expect(serverOfToolName('no_server')).toBeUndefined();
    expect(serverOfToolName('__x')).toBeUndefined();
  });

  it('matches globs with * and ?, and nothing else is special', () => {
    expect(matchesToolGlob('filesystem__read_*', 'filesystem__read_text_file')).toBe(true);
    expect(matchesToolGlob('filesystem__read_*', 'filesystem__write_file')).toBe(false);
    expect(matchesToolGlob('*', 'anything__at_all')).toBe(true);
    expect(matchesToolGlob('memory__?ead_graph', 'memory__read_graph')).toBe(true);
    expect(matchesToolGlob('a.b', 'aXb')).toBe(false);
    expect(matchesToolGlob('a+b', 'a+b')).toBe(true);
  });

  it('tells which servers a tool list could use, never missing one', () => {
    expect(serverCouldMatch(['filesystem__read_*'], 'filesystem')).toBe(true);
    expect(serverCouldMatch(['filesystem__read_*'], 'memory')).toBe(false);
    expect(serverCouldMatch(['*'], 'memory')).toBe(true);
    expect(serverCouldMatch(['mem*'], 'memory')).toBe(true);
    expect(serverCouldMatch(['memory__read_graph'], 'memory')).toBe(true);
    expect(serverCouldMatch(['memory__read_graph'], 'mem')).toBe(false);
    fc.assert(
      fc.property(
        fc.constantFrom('fs', 'memory', 'everything'),
        fc.string({ maxLength: 10 }),
        fc.integer({ min: 0, max: 20 }),
        (server, tool, cut) => {
          const name = qualifyToolName(server, tool);
          const glob = `${name.slice(0, cut)}*`;
          if (matchesToolGlob(glob, name)) expect(serverCouldMatch([glob], server)).toBe(true);
        },
      ),
    );
  });
});
