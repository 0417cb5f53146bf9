import { closest } from '../../core/did-you-mean.js';

/** ` (did you mean "threshold"?)` for a near miss among `known`, else ''. */
export function didYouMean(word: string, known: readonly string[]): string {
  // A shared stem catches the longer slips edit distance misses: "failed" → "failure".
  const stem = word.toLowerCase().slice(0, 4);
  const hint =
    closest(word, known) ??
    (stem.length === 4 ? known.find((k) => k.toLowerCase().startsWith(stem)) : undefined);
  return hint === undefined ? '' : ` (did you mean "${hint}"?)`;
}
