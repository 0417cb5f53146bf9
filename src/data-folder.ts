import { join } from 'node:path';

/** What lives in a data folder (the embedded default). */
export function dataPaths(dir: string) {
  return {
    dir,
    database: join(dir, 'evident.db'),
    logKey: join(dir, 'log.key'),
    /** Encrypts webhook and SMTP secrets in the database (util/secret-box.ts). */
    secretsKey: join(dir, 'secrets.key'),
    adminToken: join(dir, 'admin.token'),
  };
}

export const DEFAULT_DATA_DIR = './evident-data';
