/**
 * What a witness remembers: per log, the size and root of the latest checkpoint it cosigned
 * (never forgotten, never moved backwards), and the refused submissions that may prove a
 * log's misbehaviour. Its own small SQLite file, fsynced at every commit (synchronous=FULL)
 * so a cosignature is never returned for a state that a crash could lose.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface WitnessedHead {
  size: number;
  rootHash: Uint8Array;
}

export interface Refusal {
  origin: string;
  status: number;
  reason: string;
  body: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS witnessed_logs (
  origin TEXT PRIMARY KEY,
  size INTEGER NOT NULL CHECK (size >= 0),
  root_hash BLOB NOT NULL,
  checkpoint TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS refusals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  origin TEXT NOT NULL,
  status INTEGER NOT NULL,
  reason TEXT NOT NULL,
  body TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);`;

// Refusals are evidence, but an attacker with a valid old checkpoint could replay it forever:
// keep the newest few per log.
const REFUSALS_KEPT_PER_LOG = 1000;

export class WitnessState {
  private readonly db: Database.Database;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Made 0600 before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
  }

  head(origin: string): WitnessedHead | undefined {
    const row = this.db
      .prepare('SELECT size, root_hash FROM witnessed_logs WHERE origin = ?')
      .get(origin) as { size: number; root_hash: Buffer } | undefined;
    return row && { size: row.size, rootHash: new Uint8Array(row.root_hash) };
  }

  /**
   * Runs `decide` on the log's current head and stores the head it returns, in one IMMEDIATE
   * transaction: the check and the update are atomic even across processes sharing the file
   * (tlog-witness §add-checkpoint's race). `decide` throws to refuse; nothing is written.
   */
  compareAndSwap(
    origin: string,
    decide: (current: WitnessedHead | undefined) => WitnessedHead & { checkpoint: string },
    nowMs: number,
  ): void {
    this.db
      .transaction(() => {
        const next = decide(this.head(origin));
        this.db
          .prepare(
            `INSERT INTO witnessed_logs (origin, size, root_hash, checkpoint, updated_at_ms)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root_hash = excluded.root_hash,
               checkpoint = excluded.checkpoint, updated_at_ms = excluded.updated_at_ms`,
          )
          .run(origin, next.size, Buffer.from(next.rootHash), next.checkpoint, nowMs);
      })
      .immediate();
  }

  recordRefusal(refusal: Refusal, nowMs: number): void {
    this.db
      .transaction(() => {
        this.db
          .prepare(
            'INSERT INTO refusals (origin, status, reason, body, at_ms) VALUES (?, ?, ?, ?, ?)',
          )
          .run(refusal.origin, refusal.status, refusal.reason, refusal.body, nowMs);
        this.db
          .prepare(
            `DELETE FROM refusals WHERE origin = ? AND id <= (
               SELECT id FROM refusals WHERE origin = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
          )
          .run(refusal.origin, refusal.origin, REFUSALS_KEPT_PER_LOG);
      })
      .immediate();
  }

  refusals(origin: string): (Refusal & { atMs: number })[] {
    return (
      this.db
        .prepare(
          'SELECT origin, status, reason, body, at_ms FROM refusals WHERE origin = ? ORDER BY id',
        )
        .all(origin) as (Refusal & { at_ms: number })[]
    ).map(({ at_ms, ...r }) => ({ ...r, atMs: at_ms }));
  }

  close(): void {
    this.db.close();
  }
}
