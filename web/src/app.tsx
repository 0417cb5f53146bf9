import { Nav } from './components/nav.js';
import { AdminPage } from './pages/admin.js';
import { AlertsPage } from './pages/alerts.js';
import { EvidencePacksPage } from './pages/evidence-packs.js';
import { GatewaySessionsPage } from './pages/gateway-sessions.js';
import { IntegrityPage } from './pages/integrity.js';
import { NotFoundPage } from './pages/not-found.js';
import { NotificationsPage } from './pages/notifications.js';
import { OverviewPage } from './pages/overview.js';
import { RetentionPage } from './pages/retention.js';
import { ReviewsPage } from './pages/reviews.js';
import { SearchPage } from './pages/search.js';
import { SignInPage } from './pages/sign-in.js';
import { SourcesPage } from './pages/sources.js';
import { TimelinePage } from './pages/timeline.js';
import { useLocation } from './router.js';
import { useSession } from './session.js';

export function App() {
  const session = useSession();
  const location = useLocation();
  const { state } = session;
  if (state.status === 'loading') return <p class="loading">Loading…</p>;
  if (state.status === 'signed-out') {
    return <SignInPage notice={state.notice} onSignIn={session.signIn} location={location} />;
  }
  let page: preact.JSX.Element;
  if (location.path === '/')
    page = <SearchPage location={location} principalId={state.principal.id} />;
  else if (location.path === '/alerts' || location.path.startsWith('/alerts/'))
    page = <AlertsPage location={location} principal={state.principal} />;
  else if (location.path === '/overview') page = <OverviewPage />;
  else if (location.path === '/sources') page = <SourcesPage />;
  else if (location.path === '/integrity') page = <IntegrityPage />;
  else if (location.path === '/evidence-packs') page = <EvidencePacksPage />;
  else if (location.path === '/timeline') page = <TimelinePage location={location} />;
  else if (location.path === '/admin') page = <AdminPage />;
  else if (location.path === '/gateway-sessions') page = <GatewaySessionsPage />;
  else if (location.path === '/admin/notifications') page = <NotificationsPage />;
  else if (location.path === '/retention') page = <RetentionPage principal={state.principal} />;
  else if (location.path === '/reviews' || location.path.startsWith('/reviews/'))
    page = <ReviewsPage location={location} principal={state.principal} />;
  else page = <NotFoundPage />;
  return (
    <div class="layout">
      <Nav
        location={location}
        principal={state.principal}
        expiresAt={state.expiresAt}
        onSignOut={session.signOut}
      />
      <main id="main">{page}</main>
    </div>
  );
}
