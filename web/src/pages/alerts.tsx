import { AlertDetail } from '../components/alert-detail.js';
import { AlertList } from '../components/alert-list.js';
import type { Location } from '../router.js';
import type { Principal } from '../session.js';

/** The alert queue (/alerts) and one alert with its handling (/alerts/:id). */
export function AlertsPage(props: { location: Location; principal: Principal }) {
  const id = props.location.path.startsWith('/alerts/')
    ? decodeURIComponent(props.location.path.slice('/alerts/'.length))
    : undefined;
  return id === undefined ? (
    <AlertList location={props.location} />
  ) : (
    <AlertDetail id={id} principal={props.principal} />
  );
}
