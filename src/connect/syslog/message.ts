/** A syslog message after parsing, whichever RFC it came in. */
export interface SyslogMessage {
  format: 'rfc5424' | 'rfc3164';
  /** RFC 5424 §6.2.1: facility 0–23, severity 0–7. */
  facility: number;
  severity: number;
  /** The sender's timestamp in epoch milliseconds; undefined when it sent none. */
  timeMs?: number;
  hostname?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  /** RFC 5424 structured data: SD-ID → param → value (a repeated param keeps the last). */
  structuredData: Record<string, Record<string, string>>;
  message: string;
}

export const SEVERITY_NAMES = [
  'emerg',
  'alert',
  'crit',
  'err',
  'warning',
  'notice',
  'info',
  'debug',
] as const;

export const FACILITY_NAMES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;
