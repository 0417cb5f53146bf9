import { AppError } from '../../errors.js';
import { parseAccountName, parseGrants } from '../accounts/accounts.js';
import { checkPasswordPolicy } from '../accounts/passwords.js';
import type { Grant } from '../principal.js';

/** Request bodies of principal administration, checked field by field (paths in errors). */

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

export const NEW_PRINCIPAL_FIELDS = [
  'kind',
  'name',
  'display_name',
  'email',
  'password',
  'oidc_subject',
  'oidc_issuer',
  'roles',
] as const;

export interface NewPrincipal {
  kind: 'person' | 'service';
  name: string;
  displayName: string | null;
  email: string | null;
  password: string | null;
  oidc: { issuer: string; subject: string } | null;
  grants: Grant[];
}

export function parseNewPrincipal(body: Record<string, unknown>): NewPrincipal {
  const kind = body.kind;
  if (kind !== 'person' && kind !== 'service') {
    throw new AppError('invalid_field', '"kind" must be "person" or "service"', { path: 'kind' });
  }
  const password = body.password === undefined ? null : checkPasswordPolicy(body.password);
  const oidc = parseOidc(body);
  if (kind === 'service' && (password !== null || oidc !== null)) {
    throw new AppError(
      'conflicting_fields',
      'a service signs in with API tokens only: drop "password" and "oidc_*"',
      { path: password !== null ? 'password' : 'oidc_subject' },
    );
  }
  return {
    kind,
    name: parseAccountName(body.name),
    displayName: optionalText(body, 'display_name', 256),
    email: optionalEmail(body),
    password,
    oidc,
    grants: body.roles === undefined ? [] : parseGrants(body.roles),
  };
}

export const PRINCIPAL_PATCH_FIELDS = ['display_name', 'email', 'disabled', 'password'] as const;

/** A PATCH: absent fields stay; `null` clears display_name or email. */
export interface PrincipalPatch {
  displayName?: string | null;
  email?: string | null;
  disabled?: boolean;
  password?: string;
}

export function parsePrincipalPatch(body: Record<string, unknown>): PrincipalPatch {
  const patch: PrincipalPatch = {};
  if (body.display_name !== undefined) {
    patch.displayName = optionalText(body, 'display_name', 256);
  }
  if (body.email !== undefined) patch.email = optionalEmail(body);
  if (body.disabled !== undefined) {
    if (typeof body.disabled !== 'boolean') {
      throw new AppError('invalid_field', '"disabled" must be true or false', { path: 'disabled' });
    }
    patch.disabled = body.disabled;
  }
  if (body.password !== undefined) patch.password = checkPasswordPolicy(body.password);
  if (Object.keys(patch).length === 0) {
    throw new AppError(
      'nothing_to_change',
      `nothing to change: send one of ${PRINCIPAL_PATCH_FIELDS.join(', ')}`,
      { path: '$' },
    );
  }
  return patch;
}

/** An optional free-text reason (role requests, approvals), bounded. */
export function optionalReason(body: Record<string, unknown>): string | null {
  return optionalText(body, 'reason', 1024);
}

/** A free-text field: absent or null → null; else 1–`max` characters, no control characters. */
export function optionalText(
  body: Record<string, unknown>,
  name: string,
  max: number,
): string | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length === 0 || v.length > max || CONTROL.test(v)) {
    throw new AppError(
      'invalid_field',
      `"${name}" must be 1–${max} characters without control characters, or null`,
      { path: name },
    );
  }
  return v;
}

function optionalEmail(body: Record<string, unknown>): string | null {
  const email = optionalText(body, 'email', 254);
  // A shape check only: the address is contact data, never a credential.
  if (email !== null && !/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw new AppError('invalid_field', '"email" must look like name@example.org', {
      path: 'email',
    });
  }
  return email;
}

function parseOidc(body: Record<string, unknown>): { issuer: string; subject: string } | null {
  const subject = optionalText(body, 'oidc_subject', 255);
  const issuer = optionalText(body, 'oidc_issuer', 2048);
  if (subject === null && issuer === null) return null;
  if (subject === null || issuer === null) {
    throw new AppError('conflicting_fields', 'send "oidc_subject" and "oidc_issuer" together', {
      path: subject === null ? 'oidc_subject' : 'oidc_issuer',
    });
  }
  let url: URL | undefined;
  try {
    url = new URL(issuer);
  } catch {
    url = undefined;
  }
  // OpenID Connect Discovery 1.0 §2: the issuer is an https URL without query or fragment.
  const local = url?.hostname === 'localhost' || url?.hostname === '127.0.0.1';
  if (!url || (url.protocol !== 'https:' && !(local && url.protocol === 'http:'))) {
    throw new AppError('invalid_field', '"oidc_issuer" must be the https URL of the provider', {
      path: 'oidc_issuer',
    });
  }
  if (url.search !== '' || url.hash !== '') {
    throw new AppError('invalid_field', '"oidc_issuer" must have no query or fragment', {
      path: 'oidc_issuer',
    });
  }
  return { issuer, subject };
}
