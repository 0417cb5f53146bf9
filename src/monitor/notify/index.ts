export type { AlertView } from '../types.js';
export type { AlertLinkBuilder, AlertLinks } from './alert-view.js';
export { apiLinks } from './alert-view.js';
export { applyNotificationsFile } from './apply-file.js';
export type { Notifier, NotifierOptions } from './notifier.js';
export { startNotifier } from './notifier.js';
export { parseNotificationSettings } from './parse-settings.js';
export {
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  verifyWebhookSignature,
  type WebhookVerification,
} from './signature.js';
