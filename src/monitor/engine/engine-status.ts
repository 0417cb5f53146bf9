import type { Store } from '../../store/store.js';
import { enginePosition } from '../../store/tables/monitor/engine-tables.js';
import { LAYERS, type LayerName } from '../rules/compile-layers.js';

/** Where the engine stands, for status reads (GET /api/v1/rules): no windows. */
export interface EngineStatus {
  position: number;
  layers: Partial<Record<LayerName, string>>;
  savedAtMs: number;
}

/** The persisted engine position, or undefined before the engine first ran. */
export async function engineStatus(store: Store): Promise<EngineStatus | undefined> {
  const row = await enginePosition(store.state);
  if (!row) return undefined;
  return { position: row.position, layers: parseLayers(row.layersJson), savedAtMs: row.savedAtMs };
}

/** The layer hashes of a saved position: layer name → SHA-256 of its text. */
export function parseLayers(json: string): Partial<Record<LayerName, string>> {
  const value = JSON.parse(json) as unknown;
  if (
    typeof value !== 'object' ||
    value === null ||
    !Object.entries(value).every(
      ([k, v]) => LAYERS.includes(k as LayerName) && typeof v === 'string',
    )
  ) {
    throw new Error('engine_position.layers_json is not a map of rule layers to text hashes');
  }
  return value as Partial<Record<LayerName, string>>;
}
