import type { Location } from '../router.js';
import { navigate } from '../router.js';
import type { Principal } from '../session.js';
import { Link } from './link.js';

const PAGES = [
  { path: '/', label: 'Search' },
  { path: '/overview', label: 'Overview' },
  { path: '/alerts', label: 'Alerts' },
  { path: '/sources', label: 'Sources' },
  { path: '/integrity', label: 'Integrity' },
  { path: '/evidence-packs', label: 'Evidence packs' },
  { path: '/timeline', label: 'Timelines' },
  { path: '/gateway-sessions', label: 'Gateway sessions' },
  { path: '/reviews', label: 'Reviews' },
  { path: '/retention', label: 'Retention' },
];

/** Pages whose server features are still to come: named so the navigation has room. */
const COMING = ['Reports'];

export function Nav(props: {
  location: Location;
  principal: Principal;
  expiresAt: string;
  onSignOut: () => Promise<void>;
}) {
  const { location, principal } = props;
  const active = (path: string) =>
    path === '/' ? location.path === '/' : location.path.startsWith(path);
  return (
    <header class="topbar">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <span class="brand">Evident</span>
      <nav aria-label="Main">
        <ul>
          {PAGES.map((p) => (
            <li key={p.path}>
              <Link href={p.path} current={active(p.path)}>
                {p.label}
              </Link>
            </li>
          ))}
          {principal.roles.some((r) => r.role === 'admin') ? (
            <li>
              <Link href="/admin" current={active('/admin')}>
                Admin
              </Link>
            </li>
          ) : null}
          {COMING.map((label) => (
            <li key={label} class="coming" title="Not available on this server yet">
              {label}
            </li>
          ))}
        </ul>
      </nav>
      <span class="who" title={`Session ends by ${props.expiresAt}`}>
        {principal.name} ·{' '}
        {principal.roles
          .map((r) => (r.sources ? `${r.role}:${r.sources.join(',')}` : r.role))
          .join(' ')}
      </span>
      <button
        type="button"
        onClick={() => {
          void props.onSignOut().finally(() => navigate('/'));
        }}
      >
        Sign out
      </button>
    </header>
  );
}
