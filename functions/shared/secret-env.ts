/**
 * The secrets of a Lambda function — the Telegram bot token and the FRED API key — read once per
 * container from the SSM parameters (SecureString) named by `<NAME>_PARAMETER`, so they never sit
 * in the template or the function configuration. A value already in the environment wins (local
 * runs, tests). Everything else in the environment passes through as it is.
 *
 * Not @aws-lambda-powertools/parameters: it is not installed; @aws-sdk/client-ssm is.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

type Env = Record<string, string | undefined>;

/** The secrets a function may be given by parameter name. */
export const SECRET_NAMES = ['TELEGRAM_BOT_TOKEN', 'FRED_API_KEY'] as const;

/**
 * Secrets whose parameter may simply not exist yet: without a FRED key the macro series are
 * skipped (the sentiment run says so). A missing Telegram token parameter is a deploy mistake and fails loudly.
 */
const OPTIONAL = new Set<string>(['FRED_API_KEY']);

let ssm: SSMClient | undefined;
const cached = new Map<string, Promise<string>>();

async function readParameter(name: string, parameterName: string): Promise<string> {
  ssm ??= new SSMClient({});
  const response = await ssm.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true })).catch((error: unknown) => {
    if (OPTIONAL.has(name) && (error as { name?: string }).name === 'ParameterNotFound') return undefined;
    throw error;
  });
  if (!response) return '';
  const value = response.Parameter?.Value?.trim() ?? '';
  if (value === '' && OPTIONAL.has(name)) return '';
  if (value === '') throw new Error(`SSM parameter ${parameterName} holds no ${name}`);
  return value;
}

/**
 * The environment with each secret filled in from SSM when only its parameter name is set.
 * Cached for the container's life; a failed read is not cached, so the next invocation retries.
 * @example const sender = alertSenderFromEnv(await secretEnv(process.env), logger);
 */
export async function secretEnv(env: Env): Promise<Env> {
  const filled: Env = { ...env };
  for (const name of SECRET_NAMES) {
    const parameterName = env[`${name}_PARAMETER`]?.trim() ?? '';
    if (parameterName === '' || (env[name]?.trim() ?? '') !== '') continue;
    let value = cached.get(parameterName);
    if (!value) {
      value = readParameter(name, parameterName).catch((error: unknown) => {
        cached.delete(parameterName);
        throw error;
      });
      cached.set(parameterName, value);
    }
    const secret = await value;
    if (secret !== '') filled[name] = secret;
  }
  return filled;
}
