import { useRef } from 'preact/hooks';
import { clip, shortTime, text } from '../format.js';
import type { EventEntry } from '../verify-event.js';
import { useRowWindow } from './row-window.js';

/** Longer pages are windowed: only the rows in view (and an overscan) are in the DOM. */
export const WINDOW_ABOVE = 50;
/** A windowed row's height; its cells do not wrap (styles.css, table.events.windowed). */
const ROW_PX = 28;
const COLUMNS = 7;

interface RecordView {
  id?: unknown;
  time?: unknown;
  received_at?: unknown;
  source?: unknown;
  action?: unknown;
  outcome?: unknown;
  actor?: { id?: unknown; name?: unknown };
  target?: { type?: unknown; id?: unknown; name?: unknown; sensitivity?: unknown };
}

/**
 * The dense results table. Every cell is text: records are attacker-controlled input.
 * Beyond WINDOW_ABOVE rows it scrolls in its own box and draws only the rows in view;
 * `aria-rowcount`/`aria-rowindex` tell assistive technology where a row stands.
 */
export function ResultsTable(props: {
  entries: EventEntry[];
  selected: string | undefined;
  onOpen: (id: string) => void;
}) {
  const scroller = useRef<HTMLElement>(null);
  const windowed = props.entries.length > WINDOW_ABOVE;
  const rows = useRowWindow(scroller, props.entries.length, ROW_PX, windowed);
  return (
    <section
      class={windowed ? 'table-scroll windowed' : 'table-scroll'}
      ref={scroller}
      tabIndex={windowed ? 0 : undefined}
      aria-label="Results"
    >
      <table
        class={windowed ? 'events windowed' : 'events'}
        aria-rowcount={windowed ? props.entries.length + 1 : undefined}
        data-rows={props.entries.length}
      >
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">Source</th>
            <th scope="col">Flags</th>
          </tr>
        </thead>
        <tbody>
          {rows.above > 0 ? (
            <tr class="spacer">
              <td colSpan={COLUMNS} height={rows.above} />
            </tr>
          ) : null}
          {props.entries.slice(rows.first, rows.end).map((entry, i) => {
            const r = entry.record as RecordView;
            const id = text(r.id);
            const actor = r.actor?.name
              ? `${text(r.actor.name)} (${text(r.actor.id)})`
              : text(r.actor?.id);
            const target = r.target ? `${text(r.target.type)}:${text(r.target.id)}` : '';
            const flags = [
              ...(entry.flags ?? []),
              ...(r.target?.sensitivity === 'restricted' ? ['restricted'] : []),
            ];
            return (
              <tr
                key={entry.seq}
                aria-selected={props.selected === id}
                aria-rowindex={windowed ? rows.first + i + 2 : undefined}
              >
                <td>
                  <button
                    type="button"
                    class="link"
                    title={`received ${text(r.received_at)}`}
                    onClick={() => props.onOpen(id)}
                  >
                    {shortTime(r.time)}
                  </button>
                </td>
                <td>{clip(actor)}</td>
                <td>{clip(text(r.action))}</td>
                <td>{clip(target)}</td>
                <td class={`outcome-${text(r.outcome).replace(/[^a-z]/g, '')}`}>
                  {text(r.outcome)}
                </td>
                <td>{clip(text(r.source))}</td>
                <td>{flags.join(' ')}</td>
              </tr>
            );
          })}
          {rows.below > 0 ? (
            <tr class="spacer">
              <td colSpan={COLUMNS} height={rows.below} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}
