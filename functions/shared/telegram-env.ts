/**
 * The Telegram settings of a Lambda function: TELEGRAM_CHAT_ID and TELEGRAM_API_URL come from the
 * environment as they are; the bot token is read once per container from the SSM parameter named
 * by TELEGRAM_BOT_TOKEN_PARAMETER (a SecureString), so it never sits in the template or the
 * function configuration. A TELEGRAM_BOT_TOKEN already in the environment wins (local runs, tests).
 *
 * Not @aws-lambda-powertools/parameters: it is not installed. @aws-sdk/client-ssm is present in
 * node_modules only as a transitive dependency (of osls) and is bundled from there; declare it in
 * package.json's dependencies the next time dependencies change.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

type Env = Record<string, string | undefined>;

let ssm: SSMClient | undefined;
let cached: Promise<Env> | undefined;

async function readToken(env: Env, parameterName: string): Promise<Env> {
  ssm ??= new SSMClient({});
  const response = await ssm.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
  const token = response.Parameter?.Value?.trim() ?? '';
  if (token === '') throw new Error(`SSM parameter ${parameterName} holds no Telegram bot token`);
  return { ...env, TELEGRAM_BOT_TOKEN: token };
}

/**
 * The environment with TELEGRAM_BOT_TOKEN filled in from SSM when only its parameter name is set.
 * Cached for the container's life; a failed read is not cached, so the next invocation retries.
 * @example const sender = alertSenderFromEnv(await telegramEnv(process.env), logger);
 */
export function telegramEnv(env: Env): Promise<Env> {
  const parameterName = env['TELEGRAM_BOT_TOKEN_PARAMETER']?.trim() ?? '';
  if (parameterName === '' || (env['TELEGRAM_BOT_TOKEN']?.trim() ?? '') !== '') return Promise.resolve(env);
  cached ??= readToken(env, parameterName).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
