/**
 * The bytes of whole messages to forward, in order. Messages cut from one received chunk
 * lie side by side in its memory; neighbours are joined back into one view (no copy), so a
 * chunk usually goes out as one write, and a substituted message simply breaks the run.
 */
export class ByteRuns {
  private runs: Buffer[] = [];

  add(bytes: Buffer): void {
    const i = this.runs.length - 1;
    const last = this.runs[i];
    if (last && last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset)
      this.runs[i] = Buffer.from(last.buffer, last.byteOffset, last.length + bytes.length);
    else this.runs.push(bytes);
  }

  take(): Buffer[] {
    const runs = this.runs;
    this.runs = [];
    return runs;
  }
}
