/** The functions' secrets from SSM Parameter Store (moto): filled once, never required when optional. */
import { randomUUID } from 'node:crypto';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import { secretEnv } from '../../functions/shared/secret-env.ts';
import { useAwsEndpoint } from '../harness/aws.ts';
import { FRED_SSM_KEY, TELEGRAM_SSM_TOKEN } from '../harness/test-secrets.ts';

let prefix: string;
beforeAll(async () => {
  useAwsEndpoint();
  prefix = `/candlelake/test-${randomUUID().slice(0, 8)}`;
  const ssm = new SSMClient({});
  await ssm.send(new PutParameterCommand({ Name: `${prefix}/telegram-bot-token`, Value: TELEGRAM_SSM_TOKEN, Type: 'SecureString' }));
  await ssm.send(new PutParameterCommand({ Name: `${prefix}/fred-api-key`, Value: FRED_SSM_KEY, Type: 'SecureString' }));
});

describe('secretEnv', () => {
  it('fills each secret from the parameter its *_PARAMETER names, keeping the rest of the environment', async () => {
    const env = await secretEnv({ TELEGRAM_BOT_TOKEN_PARAMETER: `${prefix}/telegram-bot-token`, FRED_API_KEY_PARAMETER: `${prefix}/fred-api-key`, OTHER: 'x' });
    expect(env).toMatchObject({ TELEGRAM_BOT_TOKEN: TELEGRAM_SSM_TOKEN, FRED_API_KEY: FRED_SSM_KEY, OTHER: 'x' });
  });

  it('a value already in the environment wins', async () => {
    expect((await secretEnv({ FRED_API_KEY: 'local', FRED_API_KEY_PARAMETER: `${prefix}/fred-api-key` })).FRED_API_KEY).toBe('local');
  });

  it('a FRED key parameter that does not exist leaves the key unset; a missing token parameter fails', async () => {
    expect((await secretEnv({ FRED_API_KEY_PARAMETER: `${prefix}/absent` })).FRED_API_KEY).toBeUndefined();
    await expect(secretEnv({ TELEGRAM_BOT_TOKEN_PARAMETER: `${prefix}/absent-token` })).rejects.toMatchObject({ name: 'ParameterNotFound' });
  });
});
