/** Who is calling. Issue #4 adds people and service principals; routes only ever see this. */
export type Principal =
  | { kind: 'admin'; id: 'admin' }
  | { kind: 'ingest'; id: string; source: string };

/** Every action a route can ask permission for. */
export type Action = 'events.append' | 'events.read' | 'log.read' | 'proofs.read' | 'keys.manage';
