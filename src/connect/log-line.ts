/**
 * A log line from any connector (syslog, a shipper's record), reduced to the fields the
 * mappers read. Syslog messages are LogLines; shipper mappings produce them from JSON.
 */
export interface LogLine {
  /** The sender's time in epoch milliseconds, when it sent one. */
  timeMs?: number;
  hostname?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  /** Syslog facility 0–23 and severity 0–7, when known. */
  facility?: number;
  severity?: number;
  structuredData?: Record<string, Record<string, string>>;
  message: string;
}

/** What a mapper decides about a line: the record fields beyond time, source and details. */
export interface MappedFields {
  action: string;
  outcome: 'success' | 'failure' | 'denied' | 'unknown';
  actor: { id: string; type?: string; name?: string; ip?: string; session?: string };
  target?: { type?: string; id: string; name?: string };
  category?: 'authentication' | 'iam' | 'api' | 'data' | 'file' | 'config' | 'audit';
  severity?: 'info' | 'low' | 'medium' | 'high' | 'critical';
  reason?: string;
  /** Extra details the mapper found (merged over the line's own). */
  details?: Record<string, string | number | boolean>;
}

/** A mapper recognises some lines and says what they mean; undefined: not mine. */
export type LineMapper = (line: LogLine) => MappedFields | undefined;
