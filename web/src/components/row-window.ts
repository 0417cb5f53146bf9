import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** Rows drawn beyond the visible ones on each side, so a fast scroll shows no gap. */
const OVERSCAN = 12;

export interface RowWindow {
  /** Index of the first row drawn, and one past the last. */
  first: number;
  end: number;
  /** Height in px of what is not drawn above and below (spacer rows keep the scrollbar true). */
  above: number;
  below: number;
}

/**
 * The rows of a fixed-row-height list that a scroll container shows, plus an overscan:
 * a long page draws a few dozen rows whatever its length. Hand-rolled (thirty lines) rather
 * than a library: rows here have one height by construction (cells do not wrap), which is
 * the case every windowing library handles and the only one this table needs.
 */
export function useRowWindow(
  scroller: RefObject<HTMLElement | null>,
  count: number,
  rowPx: number,
  enabled: boolean,
): RowWindow {
  const [view, setView] = useState({ top: 0, height: 720 });
  useEffect(() => {
    const el = scroller.current;
    if (!enabled || !el) return;
    const update = () => setView({ top: el.scrollTop, height: el.clientHeight || 720 });
    update();
    el.addEventListener('scroll', update, { passive: true });
    window.addEventListener('resize', update);
    return () => {
      el.removeEventListener('scroll', update);
      window.removeEventListener('resize', update);
    };
  }, [enabled, scroller.current]);
  if (!enabled) return { first: 0, end: count, above: 0, below: 0 };
  const first = Math.max(0, Math.floor(view.top / rowPx) - OVERSCAN);
  const end = Math.min(count, Math.ceil((view.top + view.height) / rowPx) + OVERSCAN);
  return { first, end, above: first * rowPx, below: (count - end) * rowPx };
}
