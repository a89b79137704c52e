import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration } from './index.ts';

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return Object.fromEntries((err as ConfigError).problems.map((p) => [p.variable, p.message]));
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('gives the embedded defaults for an empty environment', () => {
    const cfg = loadConfig({});
    expect(cfg.transporter).toEqual({ kind: 'none' });
    expect(cfg.cacher).toEqual({ kind: 'memory' });
    expect(cfg.services).toEqual([
      'api',
      'ws',
      'auth',
      'users',
      'wallets',
      'transactions',
      'market',
      'portfolio',
      'notifications',
      'anomalies',
      'insights',
    ]);
    expect(cfg.http.port).toBe(3000);
    expect(cfg.auth.accessTokenTtlMs).toBe(15 * 60_000);
    expect(cfg.auth.bcryptCost).toBeGreaterThanOrEqual(12);
  });

  it('builds a cluster node from TRANSPORTER, CACHER and SERVICES', () => {
    const cfg = loadConfig({
      TRANSPORTER: 'nats',
      NATS_URL: 'nats://10.0.0.1:4222',
      CACHER: 'redis',
      SERVICES: 'api, ws,api',
      ACCESS_TOKEN_TTL: '5m',
    });
    expect(cfg.transporter).toEqual({ kind: 'nats', url: 'nats://10.0.0.1:4222' });
    expect(cfg.cacher).toEqual({ kind: 'redis', url: 'redis://127.0.0.1:6379' });
    expect(cfg.services).toEqual(['api', 'ws']);
    expect(cfg.auth.accessTokenTtlMs).toBe(300_000);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '' }).http.port).toBe(3000);
  });

  it('names every offending variable at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      SERVICES: 'api,billing',
      BCRYPT_COST: '4',
      TRANSPORTER: 'kafka',
      MONGO_URL: 'http://example.com',
      ACCESS_TOKEN_TTL: 'forever',
      JWT_SECRET: 'short',
    });
    expect(Object.keys(problems).sort()).toEqual(
      [
        'ACCESS_TOKEN_TTL',
        'BCRYPT_COST',
        'JWT_SECRET',
        'MONGO_URL',
        'PORT',
        'SERVICES',
        'TRANSPORTER',
      ].sort(),
    );
    expect(problems.BCRYPT_COST).toMatch(/12/);
  });

  it('requires a signing secret and a database in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems.JWT_SECRET).toMatch(/production/);
    expect(problems.MONGO_URL).toMatch(/production/);
  });

  it('keeps durable work on JetStream in production (in-process channels lose a stopped node’s work)', () => {
    expect(loadConfig({}).durableChannels).toBe('jetstream');
    expect(loadConfig({ DURABLE_CHANNELS: 'memory' }).durableChannels).toBe('memory');
    expect(problemsOf({ NODE_ENV: 'production', DURABLE_CHANNELS: 'memory' }).DURABLE_CHANNELS).toMatch(
      /jetstream in production/,
    );
  });

  it('never echoes a value in its message (values may be secrets)', () => {
    let thrown: unknown;
    try {
      loadConfig({ JWT_SECRET: 'hunter2-is-my-secret' });
    } catch (err) {
      thrown = err;
    }
    // the failure itself is part of the claim: a config that passed would prove nothing
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems;
    expect(problems.map((p) => p.variable)).toContain('JWT_SECRET');
    expect((thrown as Error).message).toMatch(/JWT_SECRET/);
    expect((thrown as Error).message).not.toContain('hunter2');
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });
});

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['30d', 2_592_000_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('rejects other shapes', () => expect(() => parseDuration('1 week')).toThrow());
});
