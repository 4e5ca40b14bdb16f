/**
 * The CloudWatch dashboard of the stack, from the template `serverless package --stage dev` builds
 * offline: its body (a Fn::Sub JSON string) parses once the placeholders are filled with dummy
 * values, refers only to resources of the stack, and its widgets show the metrics the jobs and
 * alarms really use.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../harness/python-venv.ts';
import { loadConfig } from '../../lib/config/load.ts';
import { PACKAGE_TIMEOUT_S, packageOnce, type CfnResource, type CfnTemplate } from './package-once.ts';

let outDir: string;
let template: CfnTemplate;

beforeAll(async () => {
  ({ outDir, template } = await packageOnce());
}, (2 * PACKAGE_TIMEOUT_S + 60) * 1000);
afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

type MetricLine = Array<string | Record<string, unknown>>;
interface Widget {
  type: string;
  properties: { title: string; region?: string; metrics?: MetricLine[]; alarms?: string[] };
}

const NAMESPACE = 'candlelake-dev';

/** Fills `${AWS::Region}`, `${Id}` and `${Id.Arn}` with recognisable dummies; records the ids. */
function resolveSub(text: string): { body: string; referenced: Set<string> } {
  const referenced = new Set<string>();
  const body = text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
    if (name === 'AWS::Region') return 'us-east-1';
    if (name.startsWith('AWS::')) return `pseudo-${name.slice(5)}`;
    const [id, attribute] = name.split('.');
    referenced.add(id!);
    return attribute === 'Arn' ? `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${id}` : `ref-${id}`;
  });
  return { body, referenced };
}

let widgets: Widget[];
let referenced: Set<string>;
const dashboard = (): CfnResource => template.Resources['Dashboard']!;

beforeAll(() => {
  const sub = (dashboard().Properties.DashboardBody as { 'Fn::Sub': string })['Fn::Sub'];
  const resolved = resolveSub(sub);
  referenced = resolved.referenced;
  widgets = (JSON.parse(resolved.body) as { widgets: Widget[] }).widgets;
});

/** Metric lines of every metric widget, as [namespace, name, dimensions]. */
function metricLines(): Array<{ title: string; namespace: string; name: string; dimensions: Record<string, string> }> {
  return widgets.flatMap((w) =>
    (w.properties.metrics ?? []).map((line) => {
      const plain = line.filter((part): part is string => typeof part === 'string');
      const [namespace, name, ...pairs] = plain;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i]!] = pairs[i + 1]!;
      return { title: w.properties.title, namespace: namespace!, name: name!, dimensions };
    }),
  );
}

const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

describe('the dashboard', () => {
  it('is an AWS::CloudWatch::Dashboard named after the stage, whose Fn::Sub body parses and refers only to resources of the stack', () => {
    expect(dashboard().Type).toBe('AWS::CloudWatch::Dashboard');
    expect(dashboard().Properties.DashboardName).toBe('candlelake-dev');
    expect(widgets.length).toBeGreaterThanOrEqual(6);
    for (const id of referenced) expect(template.Resources[id], id).toBeDefined();
    for (const w of widgets) if (w.type === 'metric') expect(w.properties.region, w.properties.title).toBe('us-east-1');
  });

  it('lists every alarm of the stack in an alarm-status widget', () => {
    const alarmWidgets = widgets.filter((w) => w.type === 'alarm');
    expect(alarmWidgets).toHaveLength(1);
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(10);
    // ARNs spelled out from the alarm names (see serverless.yml), so each must name a real alarm,
    // and the dashboard depends on every alarm as a GetAtt would have made it.
    const arns = alarmWidgets[0]!.properties.alarms!;
    expect(arns.every((arn) => arn.startsWith('arn:pseudo-Partition:cloudwatch:us-east-1:pseudo-AccountId:alarm:'))).toBe(true);
    expect(arns.map((arn) => arn.split(':alarm:')[1]).sort()).toEqual(alarms.map(([, a]) => a.Properties.AlarmName as string).sort());
    expect([...(dashboard().DependsOn ?? [])].sort()).toEqual(alarms.map(([id]) => id).sort());
  });

  it('shows JobSucceeded, JobFailed and JobDuration of every job that publishes them, with the EMF dimension set [service, job]', () => {
    // The functions that wrap their handler in jobOutcomeMetrics(jobMetrics('<job>')).
    const functionsDir = path.join(PROJECT_DIR, 'functions');
    const jobs = readdirSync(functionsDir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(path.join(functionsDir, f), 'utf8').matchAll(/jobMetrics\('([^']+)'\)/g)].map((m) => m[1]!));
    expect(jobs.sort()).toEqual(['backup', 'digest', 'sentiment', 'update', 'validate']);
    const lines = metricLines();
    for (const job of jobs) {
      for (const name of ['JobSucceeded', 'JobFailed', 'JobDuration']) {
        expect(lines.filter((l) => l.namespace === NAMESPACE && l.name === name && l.dimensions['job'] === job), `${name} ${job}`).toEqual([
          expect.objectContaining({ dimensions: { service: `candlelake-${job}`, job } }),
        ]);
      }
    }
  });

  it('shows the backtest heartbeat and ValidateStatus/StaleSeries exactly as their alarms read them', () => {
    const lines = metricLines();
    const heartbeatAlarm = template.Resources['BacktestHeartbeatAlarm']!.Properties.Metrics as Array<{ MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: unknown }> } } }>;
    const heartbeat = heartbeatAlarm.find((m) => m.MetricStat?.Metric.MetricName === 'BacktestHeartbeat')!.MetricStat!.Metric;
    expect(lines).toContainEqual(
      expect.objectContaining({ namespace: heartbeat.Namespace, name: 'BacktestHeartbeat', dimensions: Object.fromEntries(heartbeat.Dimensions.map((d) => [d.Name, d.Value])) }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ namespace: 'ECS/ContainerInsights', name: 'TaskCount', dimensions: { ClusterName: 'ref-BacktestCluster' } }));

    const validate = template.Resources['ValidateCriticalAlarm']!.Properties as { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: string }> };
    const validateDimensions = Object.fromEntries(validate.Dimensions.map((d) => [d.Name, d.Value]));
    expect(validate.Namespace).toBe(NAMESPACE);
    expect(lines).toContainEqual(expect.objectContaining({ namespace: validate.Namespace, name: validate.MetricName, dimensions: validateDimensions }));
    // lib/validate publishes StaleSeries with the same exchange dimension as ValidateStatus.
    expect(lines).toContainEqual(expect.objectContaining({ namespace: NAMESPACE, name: 'StaleSeries', dimensions: validateDimensions }));
  });

  it('shows the exchange weight the update Lambda publishes (functions/update.ts), against the configured limit', () => {
    const source = readFileSync(path.join(PROJECT_DIR, 'functions', 'update.ts'), 'utf8');
    const lines = metricLines().filter((l) => l.name.startsWith('Exchange'));
    expect(lines.map((l) => l.name).sort()).toEqual(['ExchangePeakIpWeight1m', 'ExchangeWeightUsed']);
    for (const line of lines) {
      expect(source).toContain(`addMetric('${line.name}'`);
      // The EMF dimension set of jobMetrics('update'): service and job.
      expect(line).toMatchObject({ namespace: NAMESPACE, dimensions: { service: 'candlelake-update', job: 'update' } });
    }
    const widget = widgets.find((w) => w.properties.metrics?.some((m) => m.includes('ExchangeWeightUsed')));
    const limit = (widget?.properties as { annotations?: { horizontal?: Array<{ value: number }> } }).annotations?.horizontal?.[0]?.value;
    expect(limit).toBe(loadConfig({ env: {} }).exchange.weightLimitPerMinute);
  });

  it('shows Lambda Errors for every function of the stack', () => {
    const functionIds = ofType('AWS::Lambda::Function').map(([id]) => id);
    expect(functionIds.length).toBeGreaterThanOrEqual(8);
    const errorLines = metricLines().filter((l) => l.namespace === 'AWS/Lambda' && l.name === 'Errors');
    expect(errorLines.map((l) => l.dimensions['FunctionName']).sort()).toEqual(functionIds.map((id) => `ref-${id}`).sort());
  });
});
