import type { ComponentChildren } from 'preact';
import { ApiError } from '../api.js';
import { revealInvisible, text } from '../format.js';

/** A JSON path (`$.channels[0].url`) as a piece of an element id. */
const idFor = (path: string) => path.replace(/[^A-Za-z0-9]+/g, '-');

/**
 * One labelled input with the server's complaint about it beside it (as text), tied to the
 * input with aria-describedby so a screen reader reads it with the field.
 */
export function Field(props: {
  label: string;
  path: string;
  error: string | undefined;
  /** The input's value: when it hides direction overrides or invisible characters (an
   * input must keep the real value to edit it), the value is also shown with them marked. */
  value?: string;
  children: (aria: Record<string, string | undefined>) => ComponentChildren;
}) {
  const id = `error${idFor(props.path)}`;
  const inputId = `field${idFor(props.path)}`;
  const aria = {
    id: inputId,
    'aria-invalid': props.error !== undefined ? 'true' : undefined,
    'aria-describedby': props.error !== undefined ? id : undefined,
    'data-path': props.path,
  };
  return (
    <span class="field">
      <label for={inputId}>
        {props.label}
        {props.children(aria)}
      </label>
      {props.value !== undefined && revealInvisible(props.value) !== props.value ? (
        <span class="muted field-reveal">As stored: {revealInvisible(props.value)}</span>
      ) : null}
      {props.error !== undefined ? (
        <span class="field-error error" id={id}>
          {text(props.error)}
        </span>
      ) : null}
    </span>
  );
}

/** The body field an API error names (`$.max` from schema checks, `max` from the domain). */
export function errorField(error: unknown): string | undefined {
  return error instanceof ApiError ? error.path?.replace(/^\$\.?/, '') : undefined;
}

/** The API's message when it is about body field `name`, for a Field beside that input. */
export function errorFor(error: unknown, name: string): string | undefined {
  return errorField(error) === name ? (error as ApiError).message : undefined;
}
