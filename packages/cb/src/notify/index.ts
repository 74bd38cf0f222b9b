export { createNotifier } from './notifier.js';
export type { Notifier, NotifierOptions } from './notifier.js';
export type { Delivery } from './delivery.js';
export { describeJobEnd } from './describe.js';
export type { JobEndText } from './describe.js';
export { signBody, webhookTarget, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_BACKOFF_BASE_MS, WEBHOOK_TIMEOUT_MS } from './webhook.js';
export { HOOK_TIMEOUT_MS } from './hook.js';
export { desktopNotifier } from './desktop.js';
