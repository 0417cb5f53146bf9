import type { AppErrorCode } from './errors.js';

/**
 * Every reason an API error can give, declared once with the HTTP category it maps to and
 * what it means. The response carries the category as `code` (what clients matched on
 * first) and this as `reason`; docs/api.md's table and the OpenAPI enum are checked against
 * this list by a test. Callers and tests branch on the reason, never on message text.
 */
export const REASONS = {
  // The request itself
  invalid_request: [
    'bad_request',
    'the request is malformed in a way no more precise reason names',
  ],
  malformed_json: ['bad_request', 'the body is not valid JSON (or NDJSON, or gzip)'],
  invalid_otlp: [
    'bad_request',
    'the body is not an OTLP ExportLogsServiceRequest (JSON or protobuf)',
  ],
  empty_body: ['bad_request', 'the body is empty where content is needed'],
  body_not_object: ['bad_request', 'the body must be a JSON object'],
  prototype_key: [
    'bad_request',
    'the body has a "__proto__" key or a "constructor.prototype" object',
  ],
  unknown_field: [
    'bad_request',
    'the body has a field this endpoint does not take (typos must not vanish)',
  ],
  missing_field: ['bad_request', 'a required body field is absent'],
  invalid_field: [
    'bad_request',
    'a body field has the wrong type, format or range; `path` names it',
  ],
  conflicting_fields: ['bad_request', 'two fields were given that exclude each other'],
  nothing_to_change: ['bad_request', 'an update names no field to change'],
  unknown_query_parameter: [
    'bad_request',
    'the query string has a parameter this endpoint does not take',
  ],
  invalid_query: [
    'bad_request',
    'a query parameter is missing, malformed or out of range; `path` names it',
  ],
  empty_range: ['bad_request', 'the range given is empty ("from" after "to")'],
  invalid_cursor: [
    'bad_request',
    'the cursor was not issued by this server or belongs to another search',
  ],
  filter_required: ['bad_request', 'a bulk change needs a filter'],
  too_many_matches: [
    'bad_request',
    'more items match than this request may take; narrow the filter',
  ],
  invalid_record: ['bad_request', 'an event does not follow the record schema (docs/api.md)'],
  invalid_event_id: ['bad_request', 'an event id is neither a ULID nor a UUID'],
  invalid_rules: ['bad_request', 'the rule file is invalid; the message lists every problem'],
  invalid_source_name: ['bad_request', 'a source name or pattern breaks the naming rule'],
  source_reserved: [
    'bad_request',
    'a source name starting with "evident" belongs to the log itself',
  ],
  invalid_argument: ['bad_request', 'an argument to a proof or verification is out of range'],
  invalid_proof: ['bad_request', 'a proof does not verify'],
  root_mismatch: ['bad_request', 'a proof leads to a different root than the checkpoint'],
  malformed_note: ['bad_request', 'a signed note or checkpoint is malformed'],
  malformed_key: ['bad_request', 'a verifier key is malformed'],
  unknown_key: ['bad_request', 'a note is signed by a key that is not known'],
  invalid_signature: ['bad_request', 'a signature does not verify'],
  invalid_configuration: [
    'bad_request',
    'a server setting (flag or environment) is incomplete or malformed',
  ],
  password_unchanged: ['bad_request', 'the new password equals the current one'],
  password_not_set: ['bad_request', 'the account has no password to change'],
  session_required: ['bad_request', 'the request is about a sign-in session but carries a token'],
  no_notification_channels: ['bad_request', 'no notification channel is enabled'],
  oidc_flow_invalid: [
    'bad_request',
    'the OpenID Connect callback does not belong to a live sign-in',
  ],
  oidc_provider_refused: ['bad_request', 'the OpenID provider answered the sign-in with an error'],
  // Who is calling
  unauthenticated: ['unauthorized', 'no credentials were sent'],
  invalid_credentials: [
    'unauthorized',
    'the token or sign-in code is invalid, expired, revoked or malformed',
  ],
  bootstrap_token_off: ['unauthorized', 'the bootstrap admin token is turned off'],
  session_ended: ['unauthorized', 'the sign-in session has ended or expired'],
  sign_in_failed: [
    'unauthorized',
    'the name or password is wrong, or the account is locked or disabled',
  ],
  no_linked_account: ['unauthorized', 'no active account is linked to this OpenID identity'],
  account_inactive: ['unauthorized', 'the account was disabled during sign-in'],
  oidc_token_rejected: ['unauthorized', 'the OpenID provider’s code or ID token was not accepted'],
  // What the caller may do
  role_required: ['forbidden', 'the caller lacks the role this action needs'],
  unscoped_grant_required: [
    'forbidden',
    'the action reveals every source, so a source-limited grant is not enough',
  ],
  ingest_key_required: ['forbidden', 'only an ingest key bound to a source may append'],
  ingest_key_append_only: ['forbidden', 'an ingest key can only append events'],
  key_source_reserved: ['forbidden', 'this ingest key is bound to a reserved source name'],
  csrf_token_required: ['forbidden', 'a cookie-authenticated write lacks the X-CSRF-Token header'],
  wrong_password: ['forbidden', 'the current password is wrong, or the account is locked'],
  self_role_change: ['forbidden', 'nobody changes their own roles'],
  self_disable: ['forbidden', 'nobody disables their own account'],
  self_approval: ['forbidden', 'the admin who asked for a change cannot approve it'],
  own_account_decision: [
    'forbidden',
    'a change about an admin’s own account needs a different admin',
  ],
  shared_token_approval: [
    'forbidden',
    'the shared bootstrap token cannot be the second pair of eyes',
  ],
  acts_as_two_admins: ['forbidden', 'the change would let one person act as two admins'],
  role_not_held: ['forbidden', 'a token cannot carry a role its maker does not hold'],
  bootstrap_makes_no_tokens: [
    'forbidden',
    'the bootstrap token is not an account and makes no tokens',
  ],
  token_for_person: ['forbidden', 'tokens for people are made by the people themselves'],
  not_a_reviewer: ['forbidden', 'the caller is not one of the review’s reviewers'],
  own_actions_in_review: [
    'forbidden',
    'the review’s items contain the caller’s own actions or grants (separation of duties)',
  ],
  countersign_by_signer: ['forbidden', 'a countersign needs a person other than the signer'],
  gateway_credential_for_person: [
    'forbidden',
    'only a person signed in as themselves makes a database-gateway credential',
  ],
  // What exists
  not_found: [
    'not_found',
    'the resource named in the path does not exist or is not visible to the caller',
  ],
  route_not_found: ['not_found', 'no route has this method and path'],
  payload_purged: [
    'gone',
    'the event’s payload was purged by retention; its seq and leaf hash stay, and the message names the purge event’s seq',
  ],
  sign_in_disabled: [
    'not_found',
    'sign-in (or OpenID Connect sign-in) is not enabled on this server',
  ],
  // State that forbids the change
  event_id_conflict: ['conflict', 'the event id is taken by an event with different content'],
  last_admin: ['conflict', 'the change would leave the log without an enabled admin'],
  credential_controlled: [
    'conflict',
    'the approver set the subject’s credentials recently and could sign in as them',
  ],
  four_eyes_required: ['conflict', 'four-eyes cannot be turned off while several admins exist'],
  approval_pending: ['conflict', 'an approval request for the same change is already waiting'],
  gateway_grant_exists: ['conflict', 'the same database-gateway grant exists already'],
  approval_not_pending: [
    'conflict',
    'the approval request was already approved, rejected or expired',
  ],
  approval_outdated: ['conflict', 'the approval no longer fits its subject; reject it'],
  hold_released: ['conflict', 'the legal hold is already released'],
  account_disabled: ['conflict', 'the account is disabled'],
  name_taken: ['conflict', 'an account with this name exists'],
  id_taken: ['conflict', 'an account with this id exists'],
  identity_linked: ['conflict', 'the OpenID identity is linked to another account'],
  version_mismatch: ['conflict', 'the settings changed since they were read; read them again'],
  concurrent_change: ['conflict', 'others changed the same thing at the same time; try again'],
  saved_searches_full: ['conflict', 'the person has as many saved searches as one may keep'],
  alert_not_in_state: ['conflict', 'the alert is not in a state that allows this step'],
  alert_assignee_unchanged: ['conflict', 'the alert already has this assignee'],
  alert_history_full: ['conflict', 'the alert holds the most handling steps one alert keeps'],
  review_name_taken: ['conflict', 'a review definition with this name exists'],
  review_not_in_state: ['conflict', 'the review is not in a state that allows this step'],
  review_signed_off: [
    'conflict',
    'the review is signed off and cannot be edited; record a correction instead',
  ],
  review_too_large: [
    'conflict',
    'the review’s scope holds more items than one review takes; narrow its filter or cadence',
  ],
  // Size and pace
  body_too_large: ['payload_too_large', 'the body is larger than this endpoint accepts'],
  record_too_large: ['payload_too_large', 'an event is larger than 32 KiB in canonical form'],
  too_many_records: [
    'payload_too_large',
    'the request carries more events or records than one request may',
  ],
  unsupported_media_type: [
    'unsupported_media_type',
    'the Content-Type is not one this endpoint takes',
  ],
  unsupported_encoding: ['unsupported_media_type', 'the Content-Encoding is not gzip or none'],
  log_busy: ['too_many_requests', 'the log is behind on appends; retry after Retry-After'],
  sign_in_throttled: ['too_many_requests', 'too many sign-in attempts from this address'],
  // The server's side
  log_not_initialised: ['unavailable', 'the log has no checkpoint yet'],
  commit_failed: ['unavailable', 'the log could not commit; retry with the same event ids'],
  signing_key_missing: [
    'unavailable',
    'the log’s signing key was rotated to a key this server does not hold',
  ],
  store_inconsistent: [
    'unavailable',
    'stored data the answer needs is missing or unreadable; run `evident verify`',
  ],
  admin_change_in_progress: ['unavailable', 'another change to admin roles is in progress'],
  oidc_provider_unreachable: [
    'unavailable',
    'the OpenID provider could not be reached or described itself wrongly',
  ],
  dashboard_not_built: ['unavailable', 'the web dashboard is not built'],
  secrets_key_mismatch: [
    'internal',
    'stored secrets cannot be decrypted with this data folder’s secrets.key',
  ],
  internal: ['internal', 'a fault inside the server; the server log has the details'],
} as const satisfies Record<string, readonly [AppErrorCode, string]>;

export type ErrorReason = keyof typeof REASONS;

export const ERROR_REASONS = Object.keys(REASONS) as ErrorReason[];

/** The HTTP category (the response's `code`) a reason belongs to. */
export function categoryOf(reason: ErrorReason): AppErrorCode {
  return REASONS[reason][0];
}

/** Whether a name (e.g. a schema's `x-reason`) is one of the reasons above. */
export function isErrorReason(name: string): name is ErrorReason {
  return Object.hasOwn(REASONS, name);
}
