/**
 * Alerts that travel through the SNS alerts topic: a function that may not write the lake's alerts
 * or hold the Telegram token (backtest recovery) publishes a small JSON envelope; the notifier
 * Lambda, subscribed to the topic, stores it as an alert and delivers it like any other.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { AlertFinding } from '../alerts/index.ts';

/** The envelope: `{ "candlelakeAlert": { job, key, severity, text } }`. */
export interface SnsAlertEnvelope {
  candlelakeAlert: AlertFinding & { job: string };
}

/** The envelope's alert when `message` is one, else undefined (alarm notifications, plain text). */
export function parseSnsAlert(message: string): SnsAlertEnvelope['candlelakeAlert'] | undefined {
  try {
    const body = JSON.parse(message) as Partial<SnsAlertEnvelope> | null;
    const alert = body?.candlelakeAlert;
    if (!alert || typeof alert.key !== 'string' || typeof alert.text !== 'string' || typeof alert.job !== 'string') return undefined;
    if (alert.severity !== 'INFO' && alert.severity !== 'WARNING' && alert.severity !== 'CRITICAL') return undefined;
    return { job: alert.job, key: alert.key, severity: alert.severity, text: alert.text };
  } catch {
    return undefined;
  }
}

/** The SNS message body for one alert. */
export function snsAlertMessage(alert: SnsAlertEnvelope['candlelakeAlert']): string {
  const envelope: SnsAlertEnvelope = { candlelakeAlert: alert };
  return JSON.stringify(envelope);
}

/**
 * Publishes alerts to the topic. The endpoint comes from the environment (AWS_ENDPOINT_URL for
 * emulators), like every other client.
 * @example await snsAlertPublisher(topicArn)({ job: 'recovery', key: 'recovery:backtest:critical', severity: 'CRITICAL', text });
 */
export function snsAlertPublisher(topicArn: string, client: SNSClient = new SNSClient({})): (alert: SnsAlertEnvelope['candlelakeAlert']) => Promise<void> {
  return async (alert) => {
    await client.send(new PublishCommand({ TopicArn: topicArn, Subject: `candlelake ${alert.severity}`, Message: snsAlertMessage(alert) }));
  };
}
