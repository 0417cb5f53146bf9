/**
 * The source of the log's own events (the log audits itself). It lives in log/ because the
 * self-audit writes it; access/ reserves the name for ingest keys and imports it from here.
 */
export const SELF_SOURCE = 'evident';
