/**
 * Event text is written by whoever sent the event: in a printed report it must read as
 * text and nothing else. Characters that would steer the layout rather than show (controls,
 * bidirectional overrides and isolates, zero-width joiners and marks, line and paragraph
 * separators) are shown as their code point, `<U+202E>`, where they stand, so a reader sees
 * that the sender put them there; and a long text is cut to what a cell holds.
 */
const STEERING =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function printable(text: string, max = 300): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(
    STEERING,
    (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`,
  );
}
