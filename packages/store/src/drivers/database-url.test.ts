import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl, scrub } from './database-url.ts';

describe('parseDatabaseUrl', () => {
  it('finds host, port, database and user, and shows no password', () => {
    const address = parseDatabaseUrl('postgresql://app:p%40ss@db.example.com:6543/aether?sslmode=require');
    expect(address).toMatchObject({
      host: 'db.example.com',
      port: 6543,
      database: 'aether',
      user: 'app',
      password: 'p@ss',
      display: 'db.example.com:6543/aether',
    });
  });

  it('defaults the port and the database, and reads a socket directory from ?host=', () => {
    expect(parseDatabaseUrl('postgres://me@localhost').display).toBe('localhost:5432/me');
    expect(parseDatabaseUrl('postgres:///aether?host=/run/postgresql').display).toBe(
      '/run/postgresql:5432/aether',
    );
  });

  it('scrubs a secret out of a message', () => {
    expect(scrub('password hunter2 for hunter2', 'hunter2')).toBe('password *** for ***');
    expect(scrub('nothing', '')).toBe('nothing');
  });
});
