import { ApiError } from '../api.js';

/** An error as the server said it (its message says what to fix), as text. */
export function ErrorNote(props: { error: unknown }) {
  const { error } = props;
  if (error === undefined || error === null) return null;
  const text =
    error instanceof ApiError
      ? `${error.message}${error.path ? ` (${error.path})` : ''}`
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}
