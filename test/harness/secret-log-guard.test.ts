/**
 * The secret log guard: its check reports a leaked line without repeating the secret, and what a
 * worker prints (stdout, stderr, console, Powertools) reaches its recorder. Leaks are handed to
 * the pure check only, never recorded, so this file's own afterAll stays clean.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { checkCapturedLines, describeLeaks, drainCapturedLines, logCallText, recordCapturedOutput, type CapturedLine } from './secret-log-guard.ts';
import { FRED_LAMBDA_KEY, TELEGRAM_TEST_TOKEN } from './test-secrets.ts';

const TOKEN_SECRET_HALF = TELEGRAM_TEST_TOKEN.slice(TELEGRAM_TEST_TOKEN.indexOf(':') + 1);

describe('checkCapturedLines', () => {
  const leaked: CapturedLine[] = [
    { source: 'process.stdout', line: '{"level":"INFO","message":"job done"}' },
    { source: 'process.stderr', line: `{"level":"ERROR","message":"request to https://api.telegram.org/bot${TELEGRAM_TEST_TOKEN}/sendMessage failed"}` },
    { source: 'cli stdout', line: `fetching ${'x'.repeat(300)} api_key=${FRED_LAMBDA_KEY}&file_type=json ${'y'.repeat(300)}` },
  ];

  it('reports each leaked line with its source and the secrets it holds', () => {
    const leaks = checkCapturedLines(leaked);

    expect(leaks.map((leak) => [leak.source, leak.names])).toEqual([
      ['process.stderr', ['TELEGRAM_TEST_TOKEN', 'telegram-bot-token']],
      ['cli stdout', ['fred-api-key', 'FRED_LAMBDA_KEY']],
    ]);
  });

  it('quotes the line around the leak, redacted, and never the secret itself', () => {
    const leaks = checkCapturedLines(leaked);
    const message = describeLeaks('test/x.test.ts', leaks);

    expect(leaks[0]!.excerpt).toBe('{"level":"ERROR","message":"request to https://api.telegram.org/bot<secret TELEGRAM_TEST_TOKEN>/sendMessage failed"}');
    expect(leaks[1]!.excerpt).toMatch(/^…x+ <secret fred-api-key>&file_type=json y+…$/);
    expect(leaks[1]!.excerpt.length).toBeLessThan(200);
    expect(message).toMatch(/^test\/x\.test\.ts: 2 captured output line\(s\) contain a secret\n {2}\[process\.stderr\] TELEGRAM_TEST_TOKEN, telegram-bot-token: /);
    for (const secret of [TELEGRAM_TEST_TOKEN, TOKEN_SECRET_HALF, FRED_LAMBDA_KEY]) expect(message).not.toContain(secret);
  });

  it('finds nothing in clean and already-redacted lines', () => {
    expect(checkCapturedLines([
      { source: 'process.stdout', line: 'GET https://api.stlouisfed.org/fred/series/observations?series_id=SP500&api_key=***' },
      { source: 'console.warn', line: 'Telegram sendMessage failed: 401 Unauthorized (check TELEGRAM_BOT_TOKEN)' },
    ])).toEqual([]);
  });

  it('caps the failure message at ten lines and counts the rest', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ source: `s${i}`, line: `bot${TELEGRAM_TEST_TOKEN}` }));
    const message = describeLeaks('f', checkCapturedLines(many));
    expect(message.split('\n')).toHaveLength(12);
    expect(message).toContain('… and 2 more');
  });
});

describe('the recorder', () => {
  /** Runs `act` and returns what it recorded, putting back what was recorded before so this file's afterAll still checks it. */
  async function recordedBy(act: () => void | Promise<void>): Promise<CapturedLine[]> {
    const before = drainCapturedLines();
    try {
      await act();
      return drainCapturedLines();
    } finally {
      for (const { line, source } of before) recordCapturedOutput(line, source);
    }
  }

  it('keeps harness-captured output line by line, by source', async () => {
    expect(await recordedBy(() => recordCapturedOutput('one\n\ntwo\n', 'cli stderr'))).toEqual([
      { source: 'cli stderr', line: 'one' },
      { source: 'cli stderr', line: 'two' },
    ]);
  });

  it('sees process.stdout and stderr writes, whole lines even across chunks', async () => {
    const lines = await recordedBy(() => {
      process.stdout.write('secret-log-guard probe: stdout ');
      process.stdout.write('in two chunks\n');
      process.stderr.write(Buffer.from('secret-log-guard probe: stderr\n'));
    });
    expect(lines).toEqual([
      { source: 'process.stdout', line: 'secret-log-guard probe: stdout in two chunks' },
      { source: 'process.stderr', line: 'secret-log-guard probe: stderr' },
    ]);
  });

  it('sees console calls, formatted as printed', async () => {
    const lines = await recordedBy(() => console.warn('secret-log-guard probe: %s=%d', 'n', 3));
    expect(lines).toContainEqual({ source: 'console.warn', line: 'secret-log-guard probe: n=3' });
  });

  it("sees the Powertools logger, which writes through its own Console on process.stdout", async () => {
    const lines = await recordedBy(() => new Logger({ serviceName: 'secret-log-guard' }).info('secret-log-guard probe: powertools'));
    const line = lines.find((l) => l.line.includes('secret-log-guard probe: powertools'));
    expect(line?.source).toBe('process.stdout');
    expect(JSON.parse(line!.line)).toMatchObject({ level: 'INFO', service: 'secret-log-guard' });
  });

  it('renders an in-memory logger call with its fields in full, so a secret nested in an error is still seen', () => {
    const text = logCallText('error', 'send failed', { attempt: 2, error: new Error('request to /bot<redacted>/sendMessage failed'), deep: { a: { b: { c: { d: 'bottom' } } } } });
    expect(text).toMatch(/^error send failed \{/);
    expect(text).toContain('attempt: 2');
    expect(text).toContain('Error: request to /bot<redacted>/sendMessage failed');
    expect(text).toContain("d: 'bottom'");
    expect(logCallText('info', 'no fields')).toBe('info no fields');
  });
});
