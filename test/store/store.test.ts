import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NewEntry, Store } from '../../src/store/store.js';
import { nodeKey } from '../../src/store/store.js';
import { appendEntries, checkpoint, entry, hash } from '../support/store-rows.js';
import { STORES } from '../support/stores.js';

/** The Store conformance suite: every adapter must pass it unchanged. */
for (const factory of STORES) {
  describe(`Store conformance: ${factory.name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;

    before(async () => {
      ({ store, dispose } = await factory.create());
    });
    after(async () => dispose());

    it('starts empty', async () => {
      assert.equal(await store.head(), undefined);
      assert.deepEqual(await store.counts(), { entries: 0, nodes: 0, checkpoints: 0, maxSeq: -1 });
    });

    it('appends entries, nodes and a checkpoint in one transaction', async () => {
      await store.append(async (tx) => {
        assert.equal(await tx.head(), undefined);
        await tx.insert({ entries: [], nodes: [], checkpoint: checkpoint(0) });
      });
      await store.append(async (tx) => {
        assert.equal((await tx.head())!.size, 0);
        const entries = [0, 1, 2, 3].map((s) => entry(s));
        const nodes = [
          { level: 1, index: 0, hash: hash(100) },
          { level: 1, index: 1, hash: hash(101) },
          { level: 2, index: 0, hash: hash(102) },
        ];
        await tx.insert({ entries, nodes, checkpoint: checkpoint(4) });
      });
      const head = (await store.head())!;
      assert.equal(head.size, 4);
      assert.deepEqual(new Uint8Array(head.rootHash), hash(204));
      assert.equal(head.checkpoint.note, 'note 4\n');
      assert.equal(head.lastReceivedAtMs, entry(3).receivedAtMs);
    });

    it('finds committed entries by id, outside and inside an append, ignoring unknown and repeated ids', async () => {
      const ids = ['id-000002', 'id-999999', 'id-000000', 'id-000002'];
      const seqs = (found: Map<string, { seq: number; id: string }>) =>
        [...found].map(([id, e]) => [id, e.id, e.seq]).sort();
      const expected = [
        ['id-000000', 'id-000000', 0],
        ['id-000002', 'id-000002', 2],
      ];
      assert.deepEqual(seqs(await store.entriesByIds(ids)), expected);
      assert.equal((await store.entriesByIds([])).size, 0);
      await store.append(async (tx) => {
        assert.deepEqual(seqs(await tx.entriesByIds(ids)), expected);
      });
    });

    it('rolls back everything when the writer throws', async () => {
      await assert.rejects(
        store.append(async (tx) => {
          await tx.insert({ entries: [entry(4)], nodes: [], checkpoint: checkpoint(5) });
          throw new Error('disk on fire');
        }),
        /disk on fire/,
      );
      assert.equal((await store.head())!.size, 4);
      assert.equal(await store.entryBySeq(4), undefined);
    });

    it('refuses a second entry with the same id or seq', async () => {
      await assert.rejects(
        store.append(async (tx) =>
          tx.insert({
            entries: [entry(4, { id: 'id-000000' })],
            nodes: [],
            checkpoint: checkpoint(5),
          }),
        ),
      );
      await assert.rejects(
        store.append(async (tx) =>
          tx.insert({ entries: [entry(3, { id: 'fresh' })], nodes: [], checkpoint: checkpoint(5) }),
        ),
      );
      assert.equal((await store.head())!.size, 4);
    });

    it('serialises concurrent appenders: each sees the head the previous one committed', async () => {
      const sizes: number[] = [];
      await Promise.all(
        [0, 1, 2].map(() =>
          store.append(async (tx) => {
            const head = (await tx.head())!;
            sizes.push(head.size);
            await new Promise((resolve) => setTimeout(resolve, 5));
            await tx.insert({
              entries: [entry(head.size)],
              nodes: [],
              checkpoint: checkpoint(head.size + 1),
            });
          }),
        ),
      );
      assert.deepEqual(sizes, [4, 5, 6]);
      assert.equal((await store.head())!.size, 7);
    });

    it('reads entries by id, by seq and by range', async () => {
      await appendEntries(store, 7, 40);
      const e = (await store.entryById('id-000005'))!;
      assert.equal(e.seq, 5);
      assert.equal(e.source, 'hr');
      assert.equal(e.record, '{"n":5}');
      assert.deepEqual(new Uint8Array(e.leafHash), hash(5));
      assert.equal((await store.entryBySeq(6))!.id, 'id-000006');
      assert.equal(await store.entryById('nope'), undefined);
      assert.deepEqual(
        (await store.entries(10, 13)).map((x) => x.seq),
        [10, 11, 12],
      );
      assert.deepEqual(await store.entries(40, 50), []);
    });

    it('searches newest first by every filter, within seq bounds', async () => {
      const seqs = async (filter: Parameters<Store['search']>[0]) =>
        (await store.search(filter)).map((x) => x.seq);
      assert.deepEqual(await seqs({ limit: 3 }), [39, 38, 37]);
      assert.deepEqual(await seqs({ actor: 'u-1', limit: 3 }), [37, 34, 31]);
      assert.deepEqual(await seqs({ action: 'customer.update', limit: 2 }), [39, 37]);
      assert.deepEqual(await seqs({ target: 'c-2', limit: 2 }), [37, 27]);
      assert.deepEqual(await seqs({ targetType: 'customer', target: 'c-2', limit: 1 }), [37]);
      assert.deepEqual(await seqs({ outcome: 'denied', limit: 10 }), [35, 28, 21, 14, 7, 0]);
      assert.deepEqual(await seqs({ source: 'hr', actor: 'u-0', limit: 2 }), [39, 33]);
      assert.deepEqual(await seqs({ fromSeq: 10, toSeq: 13, limit: 10 }), [12, 11, 10]);
      assert.deepEqual(await seqs({ actor: 'nobody', limit: 10 }), []);
    });

    it('maps a received_at instant to the first seq at or after it', async () => {
      assert.equal(await store.firstSeqReceivedAtOrAfter(0), 0);
      assert.equal(await store.firstSeqReceivedAtOrAfter(10_010), 2);
      assert.equal(await store.firstSeqReceivedAtOrAfter(10_011), 4);
      assert.equal(await store.firstSeqReceivedAtOrAfter(99_999_999), 40);
    });

    it('returns stored node hashes and leaf hashes as level 0', async () => {
      const found = await store.nodes([
        { level: 0, index: 3 },
        { level: 1, index: 1 },
        { level: 2, index: 0 },
        { level: 5, index: 9 },
      ]);
      assert.deepEqual(new Uint8Array(found.get(nodeKey(0, 3))!), hash(3));
      assert.deepEqual(new Uint8Array(found.get(nodeKey(1, 1))!), hash(101));
      assert.deepEqual(new Uint8Array(found.get(nodeKey(2, 0))!), hash(102));
      assert.equal(found.has(nodeKey(5, 9)), false);
      assert.deepEqual(
        (await store.nodesAtLevel(1, 1, 10)).map((n) => n.index),
        [1],
      );
      assert.deepEqual(await store.nodesAtLevel(3, 0, 10), []);
    });

    it('scans every entry and checkpoint in order, in pages', async () => {
      const seen: number[] = [];
      for await (const page of store.scanEntries(0, 7)) {
        assert.ok(page.length <= 7);
        for (const e of page) seen.push(e.seq);
      }
      assert.deepEqual(
        seen,
        Array.from({ length: 40 }, (_, i) => i),
      );
      const [first] = (await store.scanEntries(9, 1)[Symbol.asyncIterator]().next())
        .value as NewEntry[];
      assert.deepEqual({ ...first, leafHash: new Uint8Array(first!.leafHash) }, { ...entry(9) });
      const sizes: number[] = [];
      for await (const page of store.scanCheckpoints(2)) for (const c of page) sizes.push(c.size);
      assert.deepEqual(sizes, [0, 4, 5, 6, 7, 40]);
      assert.equal((await store.checkpoint(5))!.note, 'note 5\n');
      assert.equal(await store.checkpoint(3), undefined);
      assert.deepEqual(await store.counts(), { entries: 40, nodes: 3, checkpoints: 6, maxSeq: 39 });
    });

    it('keeps settings', async () => {
      assert.equal(await store.getMeta('origin'), undefined);
      await store.setMeta('origin', 'a');
      await store.setMeta('origin', 'b');
      assert.equal(await store.getMeta('origin'), 'b');
      await store.append(async (tx) => {
        assert.equal(await tx.getMeta('origin'), 'b');
        await tx.setMeta('origin', 'c');
      });
      assert.equal(await store.getMeta('origin'), 'c');
    });

    it('stores ingest keys and revokes them once', async () => {
      const row = {
        id: 'k1',
        source: 'billing',
        secretHash: hash(9),
        label: null,
        createdAtMs: 1,
        revokedAtMs: null,
      };
      await store.insertIngestKey(row);
      await store.insertIngestKey({ ...row, id: 'k2', label: 'backup' });
      assert.deepEqual({ ...(await store.ingestKey('k1'))!, secretHash: hash(9) }, row);
      assert.deepEqual(
        (await store.ingestKeys()).map((k) => k.id),
        ['k1', 'k2'],
      );
      assert.equal(await store.revokeIngestKey('k1', 50), true);
      assert.equal(await store.revokeIngestKey('k1', 60), true);
      assert.equal(
        (await store.ingestKey('k1'))!.revokedAtMs,
        50,
        'the first revocation time stays',
      );
      assert.equal(await store.revokeIngestKey('nope', 60), false);
    });

    it('keeps state documents with compare-and-set', async () => {
      assert.equal(await store.getState('thing', 'a'), undefined);
      assert.equal(await store.putState('thing', 'a', '{"n":"ünï ✓"}', 0, 10), true);
      assert.equal(await store.putState('thing', 'a', '{"n":2}', 0, 11), false, 'exists');
      assert.deepEqual(await store.getState('thing', 'a'), {
        kind: 'thing',
        id: 'a',
        value: '{"n":"ünï ✓"}',
        version: 1,
        updatedAtMs: 10,
      });
      assert.equal(await store.putState('thing', 'a', '{"n":3}', 2, 12), false, 'stale version');
      assert.equal(await store.putState('thing', 'a', '{"n":3}', 1, 12), true);
      assert.equal((await store.getState('thing', 'a'))!.version, 2);
      assert.equal(await store.putState('thing', 'missing', '{}', 1, 12), false);
      assert.equal(await store.deleteState('thing', 'a', 1), false, 'stale version');
      assert.equal(await store.deleteState('thing', 'a', 2), true);
      assert.equal(await store.getState('thing', 'a'), undefined);
      assert.equal(await store.deleteState('thing', 'a', 2), false, 'already gone');
    });

    it('lists state documents of one kind in id order, both ways, in pages', async () => {
      for (const id of ['c', 'a', 'e', 'b', 'd']) {
        assert.ok(await store.putState('listed', id, `"${id}"`, 0, 1));
      }
      await store.putState('other', 'b2', '"x"', 0, 1);
      const ids = async (o: Parameters<typeof store.listState>[1]) =>
        (await store.listState('listed', o)).map((d) => d.id);
      assert.deepEqual(await ids({ limit: 10 }), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(await ids({ limit: 2, after: 'b' }), ['c', 'd']);
      assert.deepEqual(await ids({ limit: 2, reverse: true }), ['e', 'd']);
      assert.deepEqual(await ids({ limit: 10, reverse: true, after: 'c' }), ['b', 'a']);
      assert.deepEqual(await ids({ limit: 10, after: 'e' }), []);
    });

    it('lets exactly one of many concurrent writers of one version win', async () => {
      await store.putState('race', 'x', '0', 0, 1);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.putState('race', 'x', `${i + 1}`, 1, 2)),
      );
      assert.equal(results.filter(Boolean).length, 1);
      const created = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.putState('race', 'new', `${i}`, 0, 2)),
      );
      assert.equal(created.filter(Boolean).length, 1);
    });

    it('keeps state apart from the log: appends still work and no entry appears', async () => {
      const before = await store.counts();
      await store.putState('apart', 'id-000041', '{}', 0, 1);
      await store.putState('apart', 'id-000041', '{"n":1}', 1, 2);
      assert.deepEqual(await store.counts(), before, 'state writes add no rows to the log');
      // State writes racing an append: both land, and the append-only triggers never fire.
      const [, created, replaced, deleted] = await Promise.all([
        appendEntries(store, 40, 43),
        store.putState('apart', 'k2', '{}', 0, 3),
        store.putState('apart', 'id-000041', '{"n":2}', 2, 3),
        store.deleteState('other', 'b2', 1),
      ]);
      assert.deepEqual([created, replaced, deleted], [true, true, true]);
      assert.equal((await store.head())!.size, 43);
      assert.deepEqual(await store.counts(), {
        entries: 43,
        nodes: before.nodes,
        checkpoints: before.checkpoints + 1,
        maxSeq: 42,
      });
      // A state id equal to an entry id is still only state, and the entry is the appended one.
      assert.equal((await store.entryById('id-000041'))!.record, '{"n":41}');
      assert.equal((await store.getState('apart', 'id-000041'))!.value, '{"n":2}');
      await appendEntries(store, 43, 44);
      assert.equal((await store.head())!.size, 44);
    });
  });

  describe(`Store conformance: ${factory.name}: witness cosignatures`, () => {
    let store: Store;
    let dispose: () => Promise<void>;

    before(async () => {
      ({ store, dispose } = await factory.create());
    });
    after(async () => dispose());

    it('keeps one line per witness and size, the first, listed by witness name', async () => {
      assert.deepEqual(await store.cosignatures(7), []);
      await store.addCosignature(7, 'w2.test', '\u2014 w2.test BBBB\n', 1);
      await store.addCosignature(7, 'w1.test', '\u2014 w1.test AAAA\n', 2);
      await store.addCosignature(7, 'w1.test', '\u2014 w1.test ZZZZ\n', 3);
      await store.addCosignature(8, 'w1.test', '\u2014 w1.test CCCC\n', 4);
      assert.deepEqual(await store.cosignatures(7), [
        '\u2014 w1.test AAAA\n',
        '\u2014 w2.test BBBB\n',
      ]);
      assert.deepEqual(await store.cosignatures(8), ['\u2014 w1.test CCCC\n']);
    });

    it('holds sizes beyond 2^32', async () => {
      const size = 2 ** 40 + 3;
      await store.addCosignature(size, 'w1.test', 'line\n', 5);
      assert.deepEqual(await store.cosignatures(size), ['line\n']);
    });
  });

  describe(`Store conformance: ${factory.name}: state documents`, () => {
    let store: Store;
    let dispose: () => Promise<void>;

    before(async () => {
      ({ store, dispose } = await factory.create());
    });
    after(async () => dispose());

    const doc = async (kind: string, id: string) => {
      const d = await store.getState(kind, id);
      return d && { value: d.value, version: d.version, updatedAtMs: d.updatedAtMs };
    };

    it('counts versions up on every replace and starts again at 1 after a delete', async () => {
      assert.ok(await store.putState('acct', 'u1', '{"v":1}', 0, 100));
      for (let v = 1; v <= 5; v++) {
        assert.equal(await store.putState('acct', 'u1', `{"v":${v + 1}}`, v, 100 + v), true);
        assert.equal(await store.putState('acct', 'u1', '{"late":true}', v, 999), false);
      }
      assert.deepEqual(await doc('acct', 'u1'), { value: '{"v":6}', version: 6, updatedAtMs: 105 });
      assert.equal(await store.putState('acct', 'u1', '{}', 7, 106), false, 'a future version');
      assert.equal(await store.deleteState('acct', 'u1', 5), false);
      assert.deepEqual(await doc('acct', 'u1'), { value: '{"v":6}', version: 6, updatedAtMs: 105 });
      assert.equal(await store.deleteState('acct', 'u1', 6), true);
      assert.equal(await store.putState('acct', 'u1', '{"again":1}', 6, 107), false, 'gone');
      assert.equal(await store.putState('acct', 'u1', '{"again":1}', 0, 108), true);
      assert.deepEqual(await doc('acct', 'u1'), {
        value: '{"again":1}',
        version: 1,
        updatedAtMs: 108,
      });
    });

    it('keeps one id under different kinds as separate documents', async () => {
      assert.ok(await store.putState('k-a', 'same', '"a"', 0, 1));
      assert.ok(await store.putState('k-b', 'same', '"b"', 0, 2), 'the id is free in another kind');
      assert.ok(await store.putState('k-a', 'same', '"a2"', 1, 3));
      assert.deepEqual(await doc('k-b', 'same'), { value: '"b"', version: 1, updatedAtMs: 2 });
      assert.ok(await store.deleteState('k-b', 'same', 1));
      assert.deepEqual(await doc('k-a', 'same'), { value: '"a2"', version: 2, updatedAtMs: 3 });
    });

    it('returns values byte for byte: unicode, escapes and large documents', async () => {
      const values = [
        JSON.stringify({ name: 'Zoë Ægir 山田 太郎', emoji: '🔐👩🏽‍💻', combining: 'e\u0301' }),
        JSON.stringify({ nul: '\u0000', ctl: '\u0007\n\t"\\', lone: '\ud800', rtl: 'שלום' }),
        JSON.stringify({ big: 'ü'.repeat(200_000) }),
        '  [1, 2.50, "keeps its own spacing"]  ',
      ];
      for (const [i, value] of values.entries()) {
        assert.ok(await store.putState('text', `t${i}`, value, 0, 1));
        assert.equal((await store.getState('text', `t${i}`))!.value, value);
        assert.equal(
          (await store.listState('text', { limit: 1, after: `t${i - 1}` }))[0]!.value,
          value,
        );
      }
      assert.deepEqual(JSON.parse((await store.getState('text', 't1'))!.value).lone, '\ud800');
    });

    it('lists ids in byte order, both ways, in pages, never showing another kind', async () => {
      // Byte (UTF-8) order: '' < upper case < lower case < 'é' < astral, the same on every adapter.
      const ids = ['b', 'a-1', '😀', '', 'Z', 'é', 'a', 'a0'];
      const sorted = ['', 'Z', 'a', 'a-1', 'a0', 'b', 'é', '😀'];
      for (const id of ids) assert.ok(await store.putState('page', id, JSON.stringify(id), 0, 1));
      // Neighbouring kinds that would interleave if the kind were a prefix or ignored.
      for (const kind of ['pag', 'page2', 'pagf', 'Page', 'page ']) {
        for (const id of ['', 'a', 'a-0', 'c', 'ÿ']) await store.putState(kind, id, '"x"', 0, 1);
      }
      const list = async (options: Parameters<Store['listState']>[1]) =>
        (await store.listState('page', options)).map((d) => d.id);
      assert.deepEqual(await list({ limit: 100 }), sorted);
      assert.deepEqual(await list({ limit: 100, reverse: true }), [...sorted].reverse());
      assert.deepEqual(await list({ limit: 3 }), ['', 'Z', 'a']);
      assert.deepEqual(await list({ limit: 3, reverse: true }), ['😀', 'é', 'b']);
      assert.deepEqual(
        await list({ limit: 100, after: '' }),
        sorted.slice(1),
        'after is exclusive',
      );
      assert.deepEqual(await list({ limit: 100, after: 'a' }), ['a-1', 'a0', 'b', 'é', '😀']);
      assert.deepEqual(await list({ limit: 100, after: 'a', reverse: true }), ['Z', '']);
      assert.deepEqual(await list({ limit: 100, after: '', reverse: true }), []);
      assert.deepEqual(await list({ limit: 2, after: 'aa' }), ['b', 'é'], 'after need not exist');
      assert.deepEqual(await list({ limit: 0 }), []);
      assert.deepEqual(await store.listState('nothing', { limit: 10 }), []);

      // Paging by the last id reaches every document once, in both directions.
      for (const reverse of [false, true]) {
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await list({ limit: 3, reverse, ...(after === undefined ? {} : { after }) });
          seen.push(...page);
          if (page.length < 3) break;
          after = page[page.length - 1];
        }
        assert.deepEqual(seen, reverse ? [...sorted].reverse() : sorted);
      }
      const page = await store.listState('page', { limit: 100 });
      assert.ok(page.every((d) => d.kind === 'page' && d.value === JSON.stringify(d.id)));
    });

    it('lets exactly one of many concurrent replacers, creators or deleters win', async () => {
      assert.ok(await store.putState('race', 'x', '0', 0, 1));
      for (let version = 1; version <= 5; version++) {
        const won = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            store.putState('race', 'x', `"${version}-${i}"`, version, version),
          ),
        );
        assert.equal(won.filter(Boolean).length, 1, `one replacer of version ${version}`);
        const winner = won.indexOf(true);
        assert.deepEqual(await doc('race', 'x'), {
          value: `"${version}-${winner}"`,
          version: version + 1,
          updatedAtMs: version,
        });
      }
      const deleted = await Promise.all(
        Array.from({ length: 6 }, () => store.deleteState('race', 'x', 6)),
      );
      assert.equal(deleted.filter(Boolean).length, 1);
      const created = await Promise.all(
        Array.from({ length: 6 }, (_, i) => store.putState('race', 'x', `"new-${i}"`, 0, 9)),
      );
      assert.equal(created.filter(Boolean).length, 1);
      assert.equal((await store.getState('race', 'x'))!.value, `"new-${created.indexOf(true)}"`);
    });

    it('loses no update when many writers re-read and retry', async () => {
      assert.ok(await store.putState('counter', 'c', '0', 0, 1));
      const increment = async () => {
        for (;;) {
          const current = (await store.getState('counter', 'c'))!;
          const next = String(Number(current.value) + 1);
          if (await store.putState('counter', 'c', next, current.version, 2)) return;
        }
      };
      await Promise.all(Array.from({ length: 20 }, increment));
      assert.deepEqual(await doc('counter', 'c'), { value: '20', version: 21, updatedAtMs: 2 });
    });

    it('scans every kind in (kind, id) order and copies documents as they are', async () => {
      const all: { kind: string; id: string }[] = [];
      for await (const page of store.scanState(4)) {
        assert.ok(page.length > 0 && page.length <= 4);
        all.push(...page.map((d) => ({ kind: d.kind, id: d.id })));
      }
      const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
      const expected = [...all].sort((x, y) => byteOrder(x.kind, y.kind) || byteOrder(x.id, y.id));
      assert.deepEqual(all, expected);
      assert.equal(new Set(all.map((d) => `${d.kind}\u0000${d.id}`)).size, all.length);
      for (const kind of ['acct', 'counter', 'k-a', 'page', 'page ', 'race', 'text']) {
        assert.equal(
          all.filter((d) => d.kind === kind).length,
          (await store.listState(kind, { limit: 100 })).length,
          kind,
        );
      }

      const copied = [
        { kind: 'copied', id: 'a', value: '{"ü":1}', version: 41, updatedAtMs: 1_700_000_000_123 },
        { kind: 'copied', id: 'b', value: '[]', version: 1, updatedAtMs: 5 },
      ];
      await store.insertState(copied);
      await store.insertState([]);
      assert.deepEqual(await store.listState('copied', { limit: 10 }), copied);
      assert.equal(await store.putState('copied', 'a', '2', 40, 6), false);
      assert.equal(await store.putState('copied', 'a', '2', 41, 6), true, 'CAS goes on from 41');
      // All or nothing: one clash and none of the page is written.
      await assert.rejects(
        store.insertState([
          { kind: 'copied', id: 'c', value: '1', version: 1, updatedAtMs: 1 },
          { kind: 'copied', id: 'b', value: '1', version: 9, updatedAtMs: 1 },
        ]),
      );
      assert.equal(await store.getState('copied', 'c'), undefined);
      assert.equal((await store.getState('copied', 'b'))!.version, 1);
    });
  });

  describe(`Store conformance: ${factory.name}: a reader's source scope`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    // Neighbours of "billing-" in byte order, LIKE wildcards and case: none may leak in.
    const SOURCES = [
      'billing-api',
      'billing',
      'billing.x',
      'billing_x',
      'billinga',
      'BILLING-api',
      'billing-',
      'hr-api',
      'billing-web',
      'hr',
    ];

    before(async () => {
      ({ store, dispose } = await factory.create());
      await store.append(async (tx) => {
        const entries = SOURCES.map((source, seq) => entry(seq, { source }));
        await tx.insert({ entries, nodes: [], checkpoint: checkpoint(SOURCES.length) });
      });
    });
    after(async () => dispose());

    const sourcesOf = async (filter: Partial<Parameters<Store['search']>[0]>) =>
      (await store.search({ limit: 100, ...filter })).map((e) => e.source);

    it('matches prefixes exactly, byte for byte, with no wildcards', async () => {
      assert.deepEqual(await sourcesOf({ sources: { exact: [], prefixes: ['billing-'] } }), [
        'billing-web',
        'billing-',
        'billing-api',
      ]);
      assert.deepEqual(await sourcesOf({ sources: { exact: [], prefixes: ['billing_'] } }), [
        'billing_x',
      ]);
      assert.deepEqual(await sourcesOf({ sources: { exact: [], prefixes: ['BILLING'] } }), [
        'BILLING-api',
      ]);
    });

    it('unions exact names and prefixes, and matches nothing when both are empty', async () => {
      assert.deepEqual(
        await sourcesOf({ sources: { exact: ['hr', 'billing'], prefixes: ['billing.'] } }),
        ['hr', 'billing.x', 'billing'],
      );
      assert.deepEqual(await sourcesOf({ sources: { exact: [], prefixes: [] } }), []);
    });

    it('combines with the other filters, seq bounds and the limit', async () => {
      const scope = { exact: ['hr-api'], prefixes: ['billing-'] };
      assert.deepEqual(await sourcesOf({ sources: scope, source: 'hr-api' }), ['hr-api']);
      assert.deepEqual(await sourcesOf({ sources: scope, source: 'hr' }), []);
      assert.deepEqual(await sourcesOf({ sources: scope, toSeq: 7 }), ['billing-', 'billing-api']);
      assert.deepEqual(await sourcesOf({ sources: scope, limit: 2 }), ['billing-web', 'hr-api']);
    });
  });
}
