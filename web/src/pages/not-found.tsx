import { Link } from '../components/link.js';

export function NotFoundPage() {
  return (
    <section>
      <h1>No such page</h1>
      <p>
        <Link href="/">Go to search</Link>
      </p>
    </section>
  );
}
