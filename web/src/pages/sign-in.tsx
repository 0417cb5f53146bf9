import { useEffect, useState } from 'preact/hooks';
import { apiGet } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import type { Location } from '../router.js';

/**
 * Password and OpenID Connect sign-in. The URL is left as it is, so after a password
 * sign-in the page the person asked for simply renders; the OpenID flow carries it as
 * `return_to` and the server redirects back to it.
 */
export function SignInPage(props: {
  notice: string | undefined;
  location: Location;
  onSignIn: (name: string, password: string) => Promise<void>;
}) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [oidc, setOidc] = useState(false);
  useEffect(() => {
    apiGet<{ oidc: boolean }>('/api/v1/auth/methods').then(
      (m) => setOidc(m.oidc),
      () => setOidc(false),
    );
  }, []);
  const returnTo =
    props.location.path + (props.location.params.size > 0 ? `?${props.location.params}` : '');
  return (
    <main id="main" class="sign-in">
      <h1>Sign in to Evident</h1>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          props.onSignIn(name, password).catch((err: unknown) => {
            setError(err);
            setBusy(false);
          });
        }}
      >
        <label>
          Name
          <input
            name="name"
            autoComplete="username"
            required
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <ErrorNote error={error} />
      </form>
      {oidc ? (
        <p>
          <a
            class="button"
            href={`/api/v1/auth/oidc/start?return_to=${encodeURIComponent(returnTo)}`}
          >
            Sign in with single sign-on (OpenID Connect)
          </a>
        </p>
      ) : null}
    </main>
  );
}
