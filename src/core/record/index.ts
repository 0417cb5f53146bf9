export {
  buildRecord,
  canonicalRecord,
  recordFromCanonical,
  type ServerFields,
} from './canonical.js';
export { type EventsBodyFormat, parseEventsBody, parseSubmittedRecords } from './parse-body.js';
export * from './types.js';
export {
  isCleanText,
  isIpAddress,
  isValidAction,
  normaliseId,
  normaliseTime,
  type ValidateOptions,
  validateSubmittedRecord,
} from './validate.js';
