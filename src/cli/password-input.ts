/**
 * Passwords for the CLI: from a prompt that does not echo, or from standard input with
 * --password-stdin (for scripts). Never from an argument: arguments show in `ps`, in shell
 * history and in CI logs.
 */
export const PASSWORD_HELP =
  'passwords are never taken as arguments (they would show in `ps` and shell history): type it at the prompt, or pipe it with --password-stdin';

export async function readPassword(options: {
  stdin?: boolean;
  confirm?: boolean;
}): Promise<string> {
  if (options.stdin) return readStdin();
  if (!process.stdin.isTTY) {
    throw new Error('no terminal to prompt for the password; pipe it in with --password-stdin');
  }
  const first = await promptHidden('Password: ');
  if (options.confirm !== false && (await promptHidden('Again: ')) !== first) {
    throw new Error('the two passwords differ');
  }
  return first;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline is the pipe's, not the password's (`echo … |`).
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          finish();
          reject(new Error('cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
