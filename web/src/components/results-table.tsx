import { clip, shortTime, text } from '../format.js';
import type { EventEntry } from '../verify-event.js';

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

/** The dense results table. Every cell is text: records are attacker-controlled input. */
export function ResultsTable(props: {
  entries: EventEntry[];
  selected: string | undefined;
  onOpen: (id: string) => void;
}) {
  return (
    <table class="events">
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
        {props.entries.map((entry) => {
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
            <tr key={entry.seq} aria-selected={props.selected === id}>
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
              <td class={`outcome-${text(r.outcome).replace(/[^a-z]/g, '')}`}>{text(r.outcome)}</td>
              <td>{clip(text(r.source))}</td>
              <td>{flags.join(' ')}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
