/** The lines of docs/evidence-pack.md, as an operator types them. */
const CREATE = [
  'evident pack create --data ./evident-data --from 2026-01-01 --to 2026-03-31 --out q1.zip',
  'evident pack create --data ./evident-data --from 2026-01-01 --to 2026-03-31 --since kept.txt --out q1.zip',
];
const VERIFY = [
  "evident pack verify q1.zip --key 'evident.example/audit+1a2b3c4d+AQ…'",
  'evident pack verify q1.zip --key-file published-key.txt --json',
  "evident pack verify ./q1 --key 'evident.example/audit+1a2b3c4d+AQ…'   # the unzipped folder",
];

/**
 * Evidence packs are made and checked with the CLI (there is no HTTP route for packs yet),
 * so this page only says how; docs/evidence-pack.md is the full guide.
 */
export function EvidencePacksPage() {
  return (
    <section class="evidence-packs">
      <h1>Evidence packs</h1>
      <p>
        An evidence pack is one zip an auditor checks offline with nothing but the log's public
        verifier key: the reports for an audit period, the events they cite with inclusion proofs,
        the signed checkpoint it is cut at, the key history, and a <code>verify.html</code>.
        Creating one appends an <code>evidence_pack.create</code> event to the log. Packs are not
        made from the dashboard yet: use the command line.
      </p>
      <h2>Create a pack</h2>
      <p>
        On the machine that holds the data folder (or with <code>--db</code> for PostgreSQL):
      </p>
      <pre>{CREATE.join('\n')}</pre>
      <p>
        <code>--since</code> takes the signed checkpoint the auditor kept last time; the pack then
        proves the log still extends it. The command ends by printing the verify line with the log's
        current verifier key (the Integrity page shows it too).
      </p>
      <h2>Verify a pack</h2>
      <p>Anywhere, without the server or a network:</p>
      <pre>{VERIFY.join('\n')}</pre>
      <p>
        Or unzip it, open <code>verify.html</code> from the folder, choose the folder, paste the
        verifier key and press <strong>Verify</strong>.
      </p>
    </section>
  );
}
