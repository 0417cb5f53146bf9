import { AppError } from '../../errors.js';
import type { AuditActor, SelfAudit } from '../../log/self-audit.js';
import type { Store } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';
import { LAYERS, type LayerName, type LayerText, textHash } from '../rules/compile-layers.js';

/** State documents of the monitor: the engine's position and windows, the lease, layer pointers. */
export const MONITOR_KIND = 'monitor';
/** Every rule text ever applied, by SHA-256: what a `rules.update` event names. */
export const RULE_TEXT_KIND = 'monitor-rules';
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

const MAX_CAS_ATTEMPTS = 8;

/**
 * The rule layers in the store. A change is recorded in three steps: the text under its
 * hash (content-addressed, immutable), then a `rules.update` event in the log naming layer
 * and hash, then the layer's pointer. The engine switches when it reaches that event, so
 * the log itself says which rules judged which entries; the pointer only serves reads.
 */
export class RuleStore {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async text(sha256: string): Promise<StoredText | undefined> {
    const doc = await this.store.getState(RULE_TEXT_KIND, sha256);
    return doc ? (JSON.parse(doc.value) as StoredText) : undefined;
  }

  async pointers(): Promise<Partial<Record<LayerName, LayerPointer>>> {
    const out: Partial<Record<LayerName, LayerPointer>> = {};
    for (const layer of LAYERS) {
      const doc = await this.store.getState(MONITOR_KIND, pointerId(layer));
      if (doc) out[layer] = JSON.parse(doc.value) as LayerPointer;
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

  /** Records a new text for `layer` (validated by the caller); returns its seqs. */
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
    // Created once; a second put of the same text finds it there, which is fine.
    await this.store.putState(
      RULE_TEXT_KIND,
      sha256,
      JSON.stringify({ file: change.file, text: change.text } satisfies StoredText),
      0,
      now,
    );
    const seq = await change.audit.record({
      principal: change.principal,
      ...(change.ip !== undefined ? { ip: change.ip } : {}),
      action: RULES_UPDATE_ACTION,
      target: { type: 'rules', id: change.layer, name: change.file.slice(0, 256) },
      category: 'config',
      details: { layer: change.layer, sha256, rules: change.ruleCount },
    });
    const pointer: LayerPointer = {
      sha256,
      file: change.file,
      event_seq: seq,
      from_seq: seq + 1,
      at_ms: now,
      by: change.principal.id,
    };
    await this.setPointer(change.layer, pointer);
    return pointer;
  }

  /** Moves the pointer unless a later change (a higher event seq) already did. */
  private async setPointer(layer: LayerName, pointer: LayerPointer): Promise<void> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const doc = await this.store.getState(MONITOR_KIND, pointerId(layer));
      if (doc && (JSON.parse(doc.value) as LayerPointer).event_seq > pointer.event_seq) return;
      const written = await this.store.putState(
        MONITOR_KIND,
        pointerId(layer),
        JSON.stringify(pointer),
        doc?.version ?? 0,
        pointer.at_ms,
      );
      if (written) return;
    }
    throw new AppError(
      'concurrent_change',
      `the ${layer} rules are being changed by others; try again`,
    );
  }
}

function pointerId(layer: LayerName): string {
  return `layer.${layer}`;
}
