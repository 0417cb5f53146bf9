/**
 * An in-memory Merkle log signed like Evident's, for witness and monitor tests: checkpoints
 * and consistency proofs straight from the RFC 9162 definitions (rootFromLeafHashes).
 */
import { toBase64 } from '../../src/core/bytes.js';
import { signCheckpoint } from '../../src/core/checkpoint.js';
import { leafHash, rootFromLeafHashes } from '../../src/core/merkle.js';
import { createNoteSigner, formatVerifierKey, type NoteSigner } from '../../src/core/note.js';
import { consistencyProofRanges } from '../../src/core/proof.js';

export class ToyLog {
  readonly leaves: Uint8Array[] = [];
  readonly signer: NoteSigner;

  /** `seedByte` fills the 32-byte key seed: two ToyLogs with one seed share a key (a fork). */
  constructor(
    readonly origin: string,
    seedByte: number,
  ) {
    this.signer = createNoteSigner(origin, new Uint8Array(32).fill(seedByte));
  }

  get verifierKey(): string {
    return formatVerifierKey(this.origin, this.signer.publicKey);
  }

  /** Appends `count` leaves whose contents start with `tag` (different tags fork). */
  append(count: number, tag = 'entry'): this {
    for (let i = 0; i < count; i++) this.leaves.push(leafHash(`${tag} ${this.leaves.length}`));
    return this;
  }

  root(size = this.leaves.length): Uint8Array {
    return rootFromLeafHashes(this.leaves.slice(0, size));
  }

  checkpoint(size = this.leaves.length, signer: NoteSigner = this.signer): string {
    return signCheckpoint(
      { origin: this.origin, size, rootHash: this.root(size), extensions: [] },
      signer,
    );
  }

  /** RFC 9162 consistency proof from `from` to `to`, base64; empty from 0 or for equal sizes. */
  consistency(from: number, to = this.leaves.length): string[] {
    if (from === 0 || from === to) return [];
    return consistencyProofRanges(from, to).map((r) =>
      toBase64(rootFromLeafHashes(this.leaves.slice(r.start, r.end))),
    );
  }
}
