import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr for long commands. On a terminal it is a live bar; elsewhere
 * (CI, pipes) one line every few seconds, so logs stay readable.
 */
export function startProgress(
  label: string,
  total: number | undefined,
  unit = 'entries',
): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate}/s | eta {eta_formatted}`,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    bar.start(total ?? 0, 0, { rate: 0 });
    return {
      update: (done, newTotal) => {
        if (newTotal !== undefined) bar.setTotal(newTotal);
        const seconds = (Date.now() - started) / 1000;
        bar.update(done, { rate: seconds > 0 ? Math.round(done / seconds) : 0 });
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  let current = 0;
  let printed = -1;
  let currentTotal = total;
  const print = () => {
    if (printed === current) return;
    printed = current;
    process.stderr.write(
      `${label}: ${current}${currentTotal === undefined ? '' : `/${currentTotal}`} ${unit}\n`,
    );
  };
  return {
    update: (done, newTotal) => {
      current = done;
      if (newTotal !== undefined) currentTotal = newTotal;
      if (Date.now() - last >= 2000) {
        last = Date.now();
        print();
      }
    },
    stop: () => print(),
  };
}
