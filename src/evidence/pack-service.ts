import { currentKey } from '../core/key-history.js';
import { AppError } from '../errors.js';
import type { OpenLog } from '../log/open-log.js';
import type { AuditActor, SelfAudit } from '../log/self-audit.js';
import { readKeyHistory } from '../log/stored-key-history.js';
import { type CreatedPack, createEvidencePack } from './create-pack.js';
import type { PackPeriod } from './pack-period.js';
import { verifyPack } from './verify-pack.js';
import { readVerifyPage } from './verify-page-asset.js';

/**
 * Evidence packs cut by a server for a caller of `POST /api/v1/packs`: the same pack as
 * `evident pack create`, notarised in the log as that caller, checked with the log's own key
 * before it is handed out.
 */
export class PackService {
  constructor(
    private readonly log: Pick<OpenLog, 'store' | 'origin' | 'clock'>,
    private readonly audit: Pick<SelfAudit, 'record'>,
    private readonly verifyPage: () => Uint8Array = () => readVerifyPage(),
  ) {}

  async create(request: {
    period: PackPeriod;
    since?: string;
    by: AuditActor;
    ip?: string;
  }): Promise<CreatedPack> {
    const page = this.verifyPage();
    let made: CreatedPack;
    try {
      made = await createEvidencePack(
        this.log,
        (event) =>
          this.audit.record({
            ...event,
            principal: request.by,
            ...(request.ip === undefined ? {} : { ip: request.ip }),
          }),
        {
          period: request.period,
          ...(request.since === undefined ? {} : { since: request.since }),
          verifyPage: page,
        },
      );
    } catch (error) {
      if (error instanceof AppError) throw error;
      const message = (error as Error).message;
      // The pack's own refusals are about what the caller sent (the --since checkpoint) or
      // the log's state; word them as the CLI does.
      if (message.startsWith('the --since checkpoint') || message.includes('does NOT extend'))
        throw new AppError('invalid_field', message.replaceAll('--since', '`since`'), {
          path: 'since',
        });
      if (message === 'the log has no checkpoint yet')
        throw new AppError('log_not_initialised', message);
      throw error;
    }
    const key = currentKey(await readKeyHistory(this.log.store)).verifierKey;
    const verdict = verifyPack(made.files, key);
    if (!verdict.ok)
      throw new Error(
        `the pack cut does not verify with the log's own key: ${verdict.firstFailure?.subject}: ${verdict.firstFailure?.detail}`,
      );
    return made;
  }
}
