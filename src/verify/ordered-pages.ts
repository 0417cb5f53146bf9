/**
 * Checks [0, size) page by page, up to `ahead` pages at once, and hands each page to `fold`
 * strictly in seq order. Pages are checked ahead (in parallel, with worker threads, or with
 * requests in flight) but folded in order, so the first problem a fold raises is the one the
 * sequential order of checks meets. `fold` returns true to stop early (the entries ended);
 * anything it throws ends the run. Pages requested past the stop are left unobserved.
 */
export async function foldPagesInOrder<P>(options: {
  size: number;
  pageSize: number;
  ahead: number;
  check: (from: number, to: number) => Promise<P>;
  fold: (page: P) => boolean;
}): Promise<void> {
  const { size, pageSize, check, fold } = options;
  const pending: Promise<P>[] = [];
  let requested = 0;
  const request = () => {
    if (requested >= size) return;
    const to = Math.min(requested + pageSize, size);
    const page = check(requested, to);
    // Awaited in order below; a page requested past the first problem may fail unobserved.
    page.catch(() => undefined);
    pending.push(page);
    requested = to;
  };
  for (let i = 0; i < Math.max(1, options.ahead); i++) request();
  for (let page = pending.shift(); page; page = pending.shift()) {
    if (fold(await page)) return;
    request();
  }
}
