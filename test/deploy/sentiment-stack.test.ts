/**
 * The sentiment function in the template `serverless package --stage dev` builds offline: on the
 * schedule table, its FRED key by parameter name only, and a role that reaches its own datasets,
 * its two secrets and nothing of the candles.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jobs from '../../lib/schedule/jobs.json' with { type: 'json' };
import { PACKAGE_TIMEOUT_S, packageOnce, type CfnTemplate, functionRoleId } from './package-once.ts';

let outDir: string;
let template: CfnTemplate;
beforeAll(async () => {
  ({ outDir, template } = await packageOnce());
}, (2 * PACKAGE_TIMEOUT_S + 60) * 1000);
afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

type Statement = { Action: string | string[]; Resource: unknown };
const asArray = <T,>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('the sentiment function', () => {
  it('runs on the awsCron of lib/schedule/jobs.json with the FRED key named, not given', () => {
    const [fnId, fn] = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'functions/sentiment.handler')!;
    const env = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
    expect(env['FRED_API_KEY_PARAMETER']).toBe('/candlelake/dev/fred-api-key');
    expect(env['FRED_API_KEY']).toBeUndefined();
    const rules = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Events::Rule' && asArray(r.Properties.Targets as Array<{ Arn: unknown }>).some((t) => JSON.stringify(t.Arn) === JSON.stringify({ 'Fn::GetAtt': [fnId, 'Arn'] })),
    );
    expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual([jobs.sentiment.awsCron]);
    expect(functionRoleId(fn.Properties.Role)).toBe('SentimentRole');
  });

  it('has a role with its own datasets, its lease and the alerts, two secrets, and nothing of the candles', () => {
    const statements = (template.Resources['SentimentRole']!.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap((p) => p.PolicyDocument.Statement);
    const grants = statements.flatMap((s) => asArray(s.Action).flatMap((action) => asArray(s.Resource).map((resource) => `${action} ${JSON.stringify(resource)}`)));
    expect(grants.filter((g) => g.includes('dataset=ohlcv') || g.includes('dataset=features') || g.includes('/*"}') && g.includes('LakeBucket.Arn}/*'))).toEqual([]);
    expect(grants.filter((g) => g.startsWith('s3:DeleteObject')).map((g) => g.replace(/^s3:DeleteObject /, '')).sort()).toEqual([
      JSON.stringify({ 'Fn::Sub': '${LakeBucket.Arn}/alerts/*' }),
      JSON.stringify({ 'Fn::Sub': '${LakeBucket.Arn}/leases/sentiment.json' }),
    ]);
    expect(grants.filter((g) => g.startsWith('ssm:')).map((g) => g.match(/parameter([^'"]+)/)![1]).sort()).toEqual(['/candlelake/dev/fred-api-key', '/candlelake/dev/telegram-bot-token']);
    expect(grants.filter((g) => g.split(' ')[0]!.includes('*'))).toEqual([]);
  });
});
