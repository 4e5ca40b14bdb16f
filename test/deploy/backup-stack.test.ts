/**
 * The backup side of the stack, from the template `serverless package --stage dev` builds offline:
 * the backup function on the schedule table, its own bucket (versioned, encrypted, private, TLS
 * only, a lifecycle for what retention deletes, optional replication), a bucket policy that lets
 * nobody but the backup role delete, and that role's least privilege.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jobs from '../../lib/schedule/jobs.json' with { type: 'json' };
import { PACKAGE_TIMEOUT_S, packageOnce, type CfnResource, type CfnTemplate, functionRoleId } from './package-once.ts';

let outDir: string;
let template: CfnTemplate;

beforeAll(async () => {
  ({ outDir, template } = await packageOnce());
}, (2 * PACKAGE_TIMEOUT_S + 60) * 1000);
afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Principal?: unknown; Condition?: Record<string, Record<string, unknown>> };
const asArray = <T,>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const resource = (id: string): CfnResource => {
  const r = template.Resources[id];
  expect(r, id).toBeDefined();
  return r!;
};

describe('the backup stack', () => {
  it('schedules functions/backup on the awsCron of lib/schedule/jobs.json with the backup bucket and keep in its environment', () => {
    const [fnId, fn] = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'functions/backup.handler')!;
    const env = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
    expect(env).toMatchObject({ CANDLELAKE_BACKUP: 's3://candlelake-backup-dev-us-east-1/', CANDLELAKE_LAKE: 's3://candlelake-lake-dev-us-east-1/', CANDLELAKE_BACKUP_KEEP: '3' });
    const rules = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Events::Rule' && asArray(r.Properties.Targets as Array<{ Arn: unknown }>).some((t) => JSON.stringify(t.Arn) === JSON.stringify({ 'Fn::GetAtt': [fnId, 'Arn'] })),
    );
    expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual([jobs.backup.awsCron]);
    expect(functionRoleId(fn.Properties.Role)).toBe('BackupRole');
  });

  it('keeps backups in a versioned, encrypted, private bucket of their own, retained with the stack', () => {
    const bucket = resource('BackupBucket');
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.BucketName).not.toBe(resource('LakeBucket').Properties.BucketName);
    expect(bucket.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }).Rules;
    expect(rules.find((r) => r['NoncurrentVersionExpiration'])).toMatchObject({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 14 } });
    // No rule expires current objects: if the job stopped, a lifecycle must not eat the last backups.
    expect(rules.filter((r) => r['ExpirationInDays'] !== undefined)).toEqual([]);
    // Replication to another region only when a replica bucket is given.
    expect(bucket.Properties.ReplicationConfiguration).toMatchObject({ 'Fn::If': ['BackupReplicated', expect.objectContaining({ Role: { 'Fn::GetAtt': ['BackupReplicationRole', 'Arn'] } }), { Ref: 'AWS::NoValue' }] });
    expect(resource('BackupReplicationRole').Condition).toBe('BackupReplicated');
    // A template parameter (default: the osls param, empty here), so the condition is decided at deploy.
    expect(template.Conditions?.['BackupReplicated']).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'BackupReplicaBucketArn' }, ''] }] });
    expect((template as { Parameters?: Record<string, unknown> }).Parameters?.['BackupReplicaBucketArn']).toMatchObject({ Type: 'String', Default: '' });
  });

  it('refuses plain HTTP, and deletes from anyone but the backup role', () => {
    const statements = ((resource('BackupBucketPolicy').Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const tls = statements.find((s) => s.Condition?.['Bool']?.['aws:SecureTransport'] === 'false');
    expect(tls).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 's3:*' });
    const deletes = statements.find((s) => s.Sid === 'OnlyTheBackupJobDeletes')!;
    expect(deletes).toMatchObject({ Effect: 'Deny', Principal: '*', Resource: { 'Fn::Sub': '${BackupBucket.Arn}/*' } });
    expect(asArray(deletes.Action).sort()).toEqual(['s3:DeleteObject', 's3:DeleteObjectVersion']);
    expect(deletes.Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': ['BackupRole', 'Arn'] } } });
  });

  it('is the only role that may write the backup bucket; its own grants name their resources', () => {
    const grantsOf = (role: CfnResource) =>
      (role.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap((p) => p.PolicyDocument.Statement)
        .flatMap((s) => asArray(s.Action).map((action) => ({ action, resource: JSON.stringify(s.Resource) })));
    const backup = grantsOf(resource('BackupRole'));
    expect(backup.filter((g) => g.action.includes('*'))).toEqual([]);
    expect(backup.filter((g) => g.resource.includes('BackupBucket')).map((g) => g.action).sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    const others = Object.entries(template.Resources).filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id !== 'BackupRole' && id !== 'BackupReplicationRole');
    expect(others.length).toBeGreaterThan(5);
    for (const [id, role] of others) expect(grantsOf(role).filter((g) => g.resource.includes('BackupBucket')), id).toEqual([]);
  });
});
