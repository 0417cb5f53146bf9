/** Messages the server sends, as far as the gateway needs to understand them. */

interface Base {
  raw: Buffer;
}

export type BackendMessage =
  | (Base & { type: 'authentication'; kind: number; data: Buffer })
  | (Base & { type: 'backendKeyData'; processId: number; secretKey: Buffer })
  | (Base & { type: 'parameterStatus'; name: string; value: string })
  | (Base & { type: 'readyForQuery'; status: 'I' | 'T' | 'E' })
  | (Base & { type: 'commandComplete'; tag: string })
  /** ErrorResponse and NoticeResponse: fields by their one-letter code (S, V, C, M, D…). */
  | (Base & { type: 'error' | 'notice'; fields: Map<string, string> })
  | (Base & { type: 'negotiateProtocolVersion' })
  | (Base & { type: 'parseComplete' | 'bindComplete' | 'closeComplete' | 'noData' })
  | (Base & { type: 'parameterDescription' | 'rowDescription' | 'dataRow' })
  | (Base & { type: 'emptyQueryResponse' | 'portalSuspended' })
  | (Base & { type: 'copyInResponse' | 'copyOutResponse' | 'copyBothResponse' })
  | (Base & { type: 'copyData' | 'copyDone' })
  | (Base & { type: 'notification' | 'functionCallResponse' })
  | (Base & { type: 'unknown'; code: number });
