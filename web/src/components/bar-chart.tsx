import { clip } from '../format.js';

export interface Bar {
  label: string;
  /** Value per series key; missing keys count as 0. */
  values: Record<string, number>;
}

const PALETTE = ['#0b57d0', '#b3261e', '#146c2e', '#8e4ec6', '#b06000', '#00838f', '#5f6368'];
const WIDTH = 640;
const HEIGHT = 160;
const LEFT = 32;
const BOTTOM = 20;

/**
 * A stacked bar chart in SVG (no chart library: a few rects and labels). Series names come
 * from records, so they are text nodes only; each bar has a <title> with its numbers, and
 * the chart has a text summary for screen readers.
 */
export function BarChart(props: { title: string; bars: Bar[]; series: string[] }) {
  const { bars, series } = props;
  const totals = bars.map((b) => series.reduce((n, s) => n + (b.values[s] ?? 0), 0));
  const max = Math.max(1, ...totals);
  // Bars stay slim when there are few of them: a single hour is not a wall of colour.
  const step = bars.length === 0 ? 0 : Math.min(48, (WIDTH - LEFT) / bars.length);
  const plot = HEIGHT - BOTTOM;
  const color = (i: number) => PALETTE[i % PALETTE.length]!;
  const summary = `${props.title}: ${bars.length} bars, highest ${max}`;
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg class="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        <text x={0} y={10} class="axis">
          {max}
        </text>
        <text x={0} y={plot} class="axis">
          0
        </text>
        {bars.map((b, i) => {
          let y = plot;
          const x = LEFT + i * step;
          return (
            <g key={b.label}>
              <title>{`${b.label}: ${series
                .filter((s) => (b.values[s] ?? 0) > 0)
                .map((s) => `${s} ${b.values[s]}`)
                .join(', ')}`}</title>
              {series.map((s, si) => {
                const h = ((b.values[s] ?? 0) / max) * (plot - 12);
                y -= h;
                return h > 0 ? (
                  <rect
                    key={s}
                    x={x + 1}
                    y={y}
                    width={Math.max(1, step - 2)}
                    height={h}
                    fill={color(si)}
                  />
                ) : null;
              })}
              {i % Math.max(1, Math.ceil(bars.length / 8)) === 0 ? (
                <text x={x} y={HEIGHT - 4} class="axis">
                  {b.label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      {series.length > 1 ? (
        <ul class="legend">
          {series.map((s, i) => (
            <li key={s}>
              <span class={`swatch swatch-${i % PALETTE.length}`} aria-hidden="true" />
              {clip(s, 40)}
            </li>
          ))}
        </ul>
      ) : null}
    </figure>
  );
}

/** Buckets records by the hour of a time field: one bar per hour from first to last. */
export function hourlyBars(
  items: { at: string | undefined; series: string }[],
  maxBars = 48,
): { bars: Bar[]; series: string[] } {
  const byHour = new Map<number, Record<string, number>>();
  const series = new Set<string>();
  for (const item of items) {
    const ms = item.at === undefined ? Number.NaN : Date.parse(item.at);
    if (Number.isNaN(ms)) continue;
    const hour = Math.floor(ms / 3_600_000);
    const values = byHour.get(hour) ?? {};
    values[item.series] = (values[item.series] ?? 0) + 1;
    byHour.set(hour, values);
    series.add(item.series);
  }
  const hours = [...byHour.keys()].sort((a, b) => a - b);
  if (hours.length === 0) return { bars: [], series: [] };
  const last = hours.at(-1)!;
  const first = Math.max(hours[0]!, last - maxBars + 1);
  const bars: Bar[] = [];
  for (let h = first; h <= last; h++) {
    bars.push({
      label: `${new Date(h * 3_600_000).toISOString().slice(5, 13).replace('T', ' ')}h`,
      values: byHour.get(h) ?? {},
    });
  }
  return { bars, series: [...series].sort() };
}
