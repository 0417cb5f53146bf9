import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiGet, apiPost, onSessionEnded, setCsrfToken } from './api.js';

export interface Principal {
  id: string;
  name: string;
  kind: string;
  roles: { role: string; sources: string[] | null }[];
}

interface SessionAnswer {
  principal: Principal;
  csrf_token: string;
  session: { expires_at: string; idle_expires_at: string };
}

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; notice?: string }
  | { status: 'signed-in'; principal: Principal; expiresAt: string };

/**
 * Who is signed in. The cookie is httpOnly, so the page learns it from GET /auth/session;
 * any 401 later (idle or absolute expiry, sign-out elsewhere) returns to the sign-in form
 * with a notice, on the same URL, so signing in again continues where the person was.
 */
export function useSession() {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const adopt = (answer: SessionAnswer) => {
    setCsrfToken(answer.csrf_token);
    setState({
      status: 'signed-in',
      principal: answer.principal,
      expiresAt: answer.session.expires_at,
    });
  };
  useEffect(() => {
    apiGet<SessionAnswer>('/api/v1/auth/session').then(adopt, (error: unknown) => {
      const notice =
        error instanceof ApiError && error.status !== 401 && error.code !== 'not_found'
          ? error.message
          : undefined;
      setState({ status: 'signed-out', ...(notice ? { notice } : {}) });
    });
    return onSessionEnded(() => {
      setCsrfToken(undefined);
      setState({ status: 'signed-out', notice: 'Your session has ended; sign in again.' });
    });
  }, []);
  return {
    state,
    signIn: async (name: string, password: string) => {
      adopt(await apiPost<SessionAnswer>('/api/v1/auth/login', { name, password }));
    },
    signOut: async () => {
      try {
        await apiPost('/api/v1/auth/logout');
      } finally {
        setCsrfToken(undefined);
        setState({ status: 'signed-out', notice: 'You are signed out.' });
      }
    },
  };
}
