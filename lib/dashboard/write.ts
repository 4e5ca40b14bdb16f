/**
 * The dashboard as a static object in the lake (`dashboard/index.html` by default), for places
 * with no server: on AWS the digest can link to it with a pre-signed URL.
 */
import { dashboardGather } from './gather.ts';
import { dashboardRenderHtml } from './render.ts';
import type { DashboardDeps, DashboardRenderOptions } from './types.ts';

/** Where the static page goes unless told otherwise. */
export const DASHBOARD_DEFAULT_KEY = 'dashboard/index.html';

/** What {@link dashboardWrite} stored. */
export interface DashboardWriteResult {
  key: string;
  bytes: number;
  status: string;
}

/**
 * Reads the lake, renders the page and stores it as `text/html`.
 * @example const { key } = await dashboardWrite({ store, config, clock: systemClock, logger });
 */
export async function dashboardWrite(deps: DashboardDeps, key: string = DASHBOARD_DEFAULT_KEY, render: DashboardRenderOptions = {}): Promise<DashboardWriteResult> {
  if (!key || key.startsWith('/') || key.endsWith('/')) throw new RangeError(`the dashboard key must name an object, got "${key}"`);
  const model = await dashboardGather(deps);
  const body = Buffer.from(dashboardRenderHtml(model, render), 'utf8');
  await deps.store.put(key, body, { contentType: 'text/html; charset=utf-8' });
  deps.logger.info('dashboard: written', { key, bytes: body.length });
  return { key, bytes: body.length, status: model.status.status };
}
