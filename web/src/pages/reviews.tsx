import { OccurrenceDetail } from '../components/reviews/occurrence-detail.js';
import { ReviewList } from '../components/reviews/review-list.js';
import type { Location } from '../router.js';
import type { Principal } from '../session.js';

/** Review definitions and occurrences (/reviews) and one occurrence worked (/reviews/:id). */
export function ReviewsPage(props: { location: Location; principal: Principal }) {
  const id = props.location.path.startsWith('/reviews/')
    ? decodeURIComponent(props.location.path.slice('/reviews/'.length))
    : undefined;
  return id === undefined || id === '' ? (
    <ReviewList principal={props.principal} />
  ) : (
    <OccurrenceDetail id={id} principal={props.principal} />
  );
}
