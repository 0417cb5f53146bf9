import type { AccountPageFilter } from '../../store/tables/accounts/accounts-table.js';
import {
  type ApprovalListStatus,
  approvalsByStatus,
} from '../../store/tables/accounts/approvals-table.js';
import type { AccountRecord } from '../accounts/accounts.js';
import type { Grant, Role } from '../principal.js';
import type { AdminActor, AdminContext } from './admin-context.js';
import type { ApprovalRecord } from './approval.js';
import { type CreatedPrincipal, createPrincipal } from './create-principal.js';
import { approveRequest, type Decision, rejectRequest } from './decide-approval.js';
import { type FourEyesSettings, readFourEyes, setReaderGrants } from './four-eyes-settings.js';
import type { NewPrincipal, PrincipalPatch } from './principal-input.js';
import { type RoleChange, setRoles } from './set-roles.js';
import { updatePrincipal } from './update-principal.js';

/** Largest page of principals one request may ask for. */
export const MAX_PRINCIPAL_PAGE = 500;

export interface PrincipalQuery {
  kind?: 'person' | 'service';
  role?: Role;
  /** Keyset: principals created after this one. */
  afterId?: string;
  /** One page of at most this many; absent: every match (read from SQL page by page). */
  limit?: number;
}

export interface PrincipalPage {
  principals: AccountRecord[];
  /** Where the next page starts; undefined when this one reached the end. */
  nextAfterId: string | undefined;
}

/**
 * The principal directory: people and services, their roles, the four-eyes requests about
 * them and the four-eyes setting. Built once per server (server/context.ts) and handed to the
 * routes, which call one method each; every change runs with its events in one transaction.
 */
export class PrincipalDirectory {
  constructor(
    private readonly ctx: AdminContext,
    /** Ends an account's sessions (after a password reset or disabling); absent: none kept. */
    private readonly endSessions: (accountId: string) => Promise<unknown> = async () => {},
  ) {}

  async list(query: PrincipalQuery): Promise<PrincipalPage> {
    const filter: Omit<AccountPageFilter, 'limit'> = {
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.role ? { role: query.role } : {}),
    };
    if (query.limit !== undefined) {
      // One more than asked: whether a next page exists, without a second query.
      const rows = await this.ctx.accounts.page({
        ...filter,
        ...(query.afterId ? { afterId: query.afterId } : {}),
        limit: query.limit + 1,
      });
      const principals = rows.slice(0, query.limit);
      return {
        principals,
        nextAfterId: rows.length > query.limit ? principals[principals.length - 1]!.id : undefined,
      };
    }
    const principals: AccountRecord[] = [];
    let afterId = query.afterId;
    for (;;) {
      const page = await this.ctx.accounts.page({
        ...filter,
        ...(afterId ? { afterId } : {}),
        limit: MAX_PRINCIPAL_PAGE,
      });
      principals.push(...page);
      if (page.length < MAX_PRINCIPAL_PAGE) return { principals, nextAfterId: undefined };
      afterId = page[page.length - 1]!.id;
    }
  }

  get(id: string): Promise<AccountRecord | undefined> {
    return this.ctx.accounts.get(id);
  }

  create(actor: AdminActor, input: NewPrincipal): Promise<CreatedPrincipal> {
    return createPrincipal(this.ctx, actor, input);
  }

  /** Whoever knew the old password may hold a session: a reset (or disabling) ends them. */
  async update(actor: AdminActor, id: string, patch: PrincipalPatch): Promise<AccountRecord> {
    const account = await updatePrincipal(this.ctx, actor, id, patch);
    if (patch.password !== undefined || patch.disabled === true) {
      await this.endSessions(account.id);
    }
    return account;
  }

  setRoles(
    actor: AdminActor,
    id: string,
    grants: readonly Grant[],
    reason: string | null,
  ): Promise<RoleChange> {
    return setRoles(this.ctx, actor, id, grants, reason);
  }

  /** Requests in one state, newest first. */
  approvals(status: ApprovalListStatus): Promise<ApprovalRecord[]> {
    return approvalsByStatus(this.ctx.store.state, status, this.ctx.clock.now());
  }

  approve(actor: AdminActor, id: string, reason: string | null): Promise<Decision> {
    return approveRequest(this.ctx, actor, id, reason);
  }

  reject(actor: AdminActor, id: string, reason: string | null): Promise<Decision> {
    return rejectRequest(this.ctx, actor, id, reason);
  }

  fourEyes(): Promise<FourEyesSettings> {
    return readFourEyes(this.ctx.store);
  }

  setFourEyes(actor: AdminActor, readerGrants: 'on' | 'off'): Promise<FourEyesSettings> {
    return setReaderGrants(this.ctx, actor, readerGrants);
  }
}
