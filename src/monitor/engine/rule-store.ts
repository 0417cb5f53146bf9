import { AppError } from '../../errors.js';
import type { AuditActor, SelfAudit } from '../../log/self-audit.js';
import type { Store } from '../../store/store.js';
import {
  putRuleText,
  ruleLayers,
  ruleText,
  setRuleLayer,
} from '../../store/tables/monitor/rule-tables.js';
import type { Clock } from '../../util/clock.js';
import { type IdGenerator, ulidGenerator } from '../../util/ids.js';
import { LAYERS, type LayerName, type LayerText, textHash } from '../rules/compile-layers.js';
import { type EngineStatus, engineStatus } from './engine-status.js';

/** The action of the event that switches a layer (details: layer, sha256). */
export const RULES_UPDATE_ACTION = 'rules.update';

/** Which text a layer has now and from which seq it applies. */
export interface LayerPointer {
  sha256: string;
  file: string;
  /** The seq of the `rules.update` event; the text applies to entries after it. */
  event_seq: number;
  from_seq: number;
  at_ms: number;
  by: string;
}

interface StoredText {
  file: string;
  text: string;
}

/**
 * The rule layers in the store (src/store/tables/monitor/). A change stores the text under
 * its hash (content-addressed, immutable), appends a `rules.update` event naming layer and
 * hash, and moves the layer's pointer, all in one transaction. The engine switches when it
 * reaches that event, so the log itself says which rules judged which entries; the pointer
 * only serves reads.
 */
export class RuleStore {
  private readonly ids: IdGenerator = ulidGenerator();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Where the engine stands (its position and the layers it applies there). */
  engine(): Promise<EngineStatus | undefined> {
    return engineStatus(this.store);
  }

  text(sha256: string): Promise<StoredText | undefined> {
    return ruleText(this.store.state, sha256);
  }

  async pointers(): Promise<Partial<Record<LayerName, LayerPointer>>> {
    const out: Partial<Record<LayerName, LayerPointer>> = {};
    for (const row of await ruleLayers(this.store.state)) {
      const layer = row.layer as LayerName;
      // A pointer whose event is not (yet) in the log names no seq; it serves no read.
      if (!LAYERS.includes(layer) || row.eventSeq === null) continue;
      out[layer] = {
        sha256: row.sha256,
        file: row.file,
        event_seq: row.eventSeq,
        from_seq: row.eventSeq + 1,
        at_ms: row.atMs,
        by: row.by,
      };
    }
    return out;
  }

  /** The texts the pointers name (absent layers are empty). */
  async currentTexts(): Promise<{
    texts: LayerText[];
    hashes: Partial<Record<LayerName, string>>;
  }> {
    const pointers = await this.pointers();
    const texts: LayerText[] = [];
    const hashes: Partial<Record<LayerName, string>> = {};
    for (const layer of LAYERS) {
      const p = pointers[layer];
      if (!p) continue;
      const stored = await this.text(p.sha256);
      if (!stored)
        throw new AppError('internal', `rule text ${p.sha256} of layer ${layer} is missing`);
      texts.push({ layer, file: stored.file, text: stored.text });
      hashes[layer] = p.sha256;
    }
    return { texts, hashes };
  }

  /** Records a new text for `layer` (validated by the caller); returns its pointer. */
  async record(change: {
    layer: LayerName;
    file: string;
    text: string;
    ruleCount: number;
    audit: SelfAudit;
    principal: AuditActor;
    ip?: string;
  }): Promise<LayerPointer> {
    const sha256 = textHash(change.text);
    const now = this.clock.now();
    const eventId = this.ids(now);
    const { seqs } = await change.audit.recordWithin(async (tx) => {
      await putRuleText(tx, sha256, { file: change.file, text: change.text }, now);
      await setRuleLayer(tx, {
        layer: change.layer,
        sha256,
        file: change.file,
        eventId,
        atMs: now,
        by: change.principal.id,
      });
      return {
        events: [
          {
            id: eventId,
            principal: change.principal,
            ...(change.ip !== undefined ? { ip: change.ip } : {}),
            action: RULES_UPDATE_ACTION,
            target: { type: 'rules', id: change.layer, name: change.file.slice(0, 256) },
            category: 'config',
            details: { layer: change.layer, sha256, rules: change.ruleCount },
          },
        ],
        result: undefined,
      };
    });
    const seq = seqs[0]!;
    return {
      sha256,
      file: change.file,
      event_seq: seq,
      from_seq: seq + 1,
      at_ms: now,
      by: change.principal.id,
    };
  }
}
