import { AppError } from '../../errors.js';
import type { SelfAudit } from '../../log/self-audit.js';
import type { Store } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';
import type { IdGenerator } from '../../util/ids.js';
import type { Requester } from '../requester.js';
import { DeliveryQueue, type DeliveryStatus, type StoredDelivery } from './queue.js';

export interface DeliveryServiceDeps {
  db: Pick<Store, 'state'>;
  audit: Pick<SelfAudit, 'recordWithin'>;
  clock: Clock;
  ids: IdGenerator;
}

/** The delivery queue as operators see it: pages of deliveries, and dead letters replayed. */
export class DeliveryService {
  readonly queue: DeliveryQueue;

  constructor(private readonly deps: DeliveryServiceDeps) {
    this.queue = new DeliveryQueue(deps.db, deps.ids);
  }

  /** One page, newest first; `next` is the cursor of the following page, if there may be one. */
  async page(
    status: DeliveryStatus,
    page: { before?: string; limit: number },
  ): Promise<{ deliveries: StoredDelivery[]; next: string | null }> {
    const deliveries = await this.queue.list(status, page);
    const next = deliveries.length < page.limit ? null : (deliveries.at(-1)?.id ?? null);
    return { deliveries, next };
  }

  /** Puts a dead letter back in the queue; the replay and its event commit together. */
  async replay(id: string, by: Requester): Promise<StoredDelivery> {
    const { result } = await this.deps.audit.recordWithin(async (tx) => {
      const replayed = await this.queue.replayIn(tx, id, this.deps.clock.now());
      if (!replayed) throw new AppError('not_found', `no dead letter ${id}`);
      const event = {
        ...by,
        action: 'notification.replay',
        target: { type: 'notification_delivery', id },
        category: 'config' as const,
        details: {
          channel: replayed.value.channelId,
          alert_id: replayed.value.message.alert.id,
          replays: replayed.value.replays,
        },
      };
      return { events: [event], result: replayed };
    });
    return result;
  }
}
