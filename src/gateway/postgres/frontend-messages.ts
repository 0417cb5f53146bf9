/** Messages a client sends (PostgreSQL docs, "Message Formats"), as the gateway decodes them. */

interface Base {
  /** The exact bytes received, forwarded upstream unchanged. */
  raw: Buffer;
}

export type StartupPacket =
  | (Base & { type: 'sslRequest' })
  | (Base & { type: 'gssEncRequest' })
  | (Base & { type: 'cancelRequest'; processId: number; secretKey: Buffer })
  | (Base & {
      type: 'startup';
      major: number;
      minor: number;
      parameters: Map<string, string>;
    });

export type FrontendMessage =
  | (Base & { type: 'query'; sql: string })
  | (Base & { type: 'parse'; name: string; sql: string; paramTypes: number[] })
  | (Base & {
      type: 'bind';
      portal: string;
      statement: string;
      paramFormats: number[];
      /** null is SQL NULL (length -1). */
      params: (Buffer | null)[];
      resultFormats: number[];
    })
  | (Base & { type: 'describe'; target: 'S' | 'P'; name: string })
  | (Base & { type: 'execute'; portal: string; maxRows: number })
  | (Base & { type: 'close'; target: 'S' | 'P'; name: string })
  | (Base & { type: 'sync' })
  | (Base & { type: 'flush' })
  | (Base & { type: 'terminate' })
  | (Base & { type: 'copyData' })
  | (Base & { type: 'copyDone' })
  | (Base & { type: 'copyFail'; message: string })
  /** 'p': a password, SASLInitialResponse or SASLResponse; which one depends on the exchange. */
  | (Base & { type: 'authResponse'; body: Buffer })
  | (Base & { type: 'functionCall'; functionOid: number })
  | (Base & { type: 'unknown'; code: number });
