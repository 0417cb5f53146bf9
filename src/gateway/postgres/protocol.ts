/** Constants of the PostgreSQL frontend/backend protocol (PostgreSQL docs, "Message Formats"). */

/** Protocol 3.0, the version every current client speaks: major in the high 16 bits. */
export const PROTOCOL_3_0 = 3 << 16;
/** Startup codes that share the version field: 1234 in the high half, a magic number below. */
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH: a startup packet is refused above it. */
export const MAX_STARTUP_PACKET_BYTES = 10_000;
/** Default bound on one message from a client; PostgreSQL's own limit is 1 GiB. */
export const DEFAULT_MAX_CLIENT_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Upstream is trusted; PostgreSQL never sends more than 1 GiB in one message. */
export const MAX_SERVER_MESSAGE_BYTES = 1024 * 1024 * 1024;

/** Authentication request kinds ('R' messages). */
export const AUTH_OK = 0;
export const AUTH_CLEARTEXT_PASSWORD = 3;
export const AUTH_MD5_PASSWORD = 5;
export const AUTH_SASL = 10;
export const AUTH_SASL_CONTINUE = 11;
export const AUTH_SASL_FINAL = 12;
