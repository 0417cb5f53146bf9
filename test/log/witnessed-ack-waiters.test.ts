/**
 * WitnessedAck on its own: which cosignatures answer which waiting acks. A quorum counts
 * distinct witnesses over one checkpoint; a checkpoint of a bigger tree answers acks of
 * smaller ones; a timeout answers undefined; each wait asks the submitter for a round.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WitnessedAck } from '../../src/log/witnessed-ack.js';

const cosigned = (witness: string, treeSize: number) => ({
  witness,
  treeSize,
  note: `log.test/a\n${treeSize}\nroot\n\n— log.test/a sig\n`,
  line: `— ${witness} cosig${treeSize}\n`,
});

describe('WitnessedAck', () => {
  it('answers an ack once k distinct witnesses cosigned one checkpoint covering it', async () => {
    let kicks = 0;
    const ack = new WitnessedAck({ quorum: 2, timeoutMs: 60_000, kick: () => kicks++ });
    const waiting = ack.wait(10);
    assert.equal(kicks, 1);
    assert.equal(ack.waiting(), true);
    ack.onCosigned(cosigned('w1', 12));
    ack.onCosigned(cosigned('w1', 12)); // the same witness twice is one cosignature
    ack.onCosigned(cosigned('w2', 9)); // too small: does not cover seq 9
    assert.equal(ack.waiting(), true);
    ack.onCosigned(cosigned('w2', 12));
    const witnessed = await waiting;
    assert.equal(witnessed?.treeSize, 12);
    assert.deepEqual(witnessed?.witnesses, ['w1', 'w2']);
    assert.equal(
      witnessed?.note,
      'log.test/a\n12\nroot\n\n— log.test/a sig\n— w1 cosig12\n— w2 cosig12\n',
    );
    assert.equal(ack.waiting(), false);
    // An ack already covered by a witnessed checkpoint is answered at once, without a round.
    assert.equal((await ack.wait(12))?.treeSize, 12);
    assert.equal(kicks, 1);
  });

  it('answers undefined after the timeout, leaving no waiter behind', async () => {
    const ack = new WitnessedAck({ quorum: 1, timeoutMs: 10, kick: () => {} });
    ack.onCosigned(cosigned('w1', 5));
    assert.equal(await ack.wait(6), undefined);
    assert.equal(ack.waiting(), false);
  });
});
