/**
 * Cosigning on demand, outside a server (`evident pack create --witness-policy`): submits the
 * newest checkpoint to the policy's witnesses and waits until k of them cosigned one of size
 * ≥ minSize. The cosignatures are kept in the store like the server's.
 */
import type { WitnessPolicy } from '../core/witness-policy.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import { WitnessSubmitter } from './witness-submitter.js';
import { WitnessedAck } from './witnessed-ack.js';

export interface CosignNowOptions {
  store: Store;
  policy: WitnessPolicy;
  clock: Clock;
  timeoutMs: number;
  onProblem?: (witness: string, message: string) => void;
}

/** Resolves with the signed note and its cosignature lines; throws after the timeout. */
export async function cosignNow(
  options: CosignNowOptions,
  minSize: number,
): Promise<{ size: number; note: string }> {
  const witnesses = options.policy.witnesses.filter(
    (w): w is typeof w & { url: string } => w.url !== undefined,
  );
  if (witnesses.length < options.policy.quorum) {
    throw new Error(
      `the witness policy asks for ${options.policy.quorum} cosignature(s) but gives a URL for ${witnesses.length} witness(es): add their URLs to submit to them`,
    );
  }
  let submitter: WitnessSubmitter | undefined;
  const ack = new WitnessedAck({
    quorum: options.policy.quorum,
    timeoutMs: options.timeoutMs,
    kick: () => submitter?.kick(),
  });
  submitter = new WitnessSubmitter({
    store: options.store,
    witnesses,
    clock: options.clock,
    onCosigned: (c) => ack.onCosigned(c),
    waiting: () => ack.waiting(),
    onProblem: (p) => options.onProblem?.(p.witness, p.message),
  });
  try {
    const witnessed = await ack.wait(minSize);
    if (!witnessed) {
      const status = submitter
        .status()
        .map(
          (s) =>
            `${s.name}: ${s.lastError ?? (s.size === undefined ? 'no answer' : `cosigned size ${s.size}`)}`,
        )
        .join('; ');
      throw new Error(
        `${options.policy.quorum} witness(es) did not cosign within ${options.timeoutMs / 1000} s (${status})`,
      );
    }
    return { size: witnessed.treeSize, note: witnessed.note };
  } finally {
    await submitter.stop();
  }
}
