import { type AttemptResult, type Outgoing, shortError } from './attempt.js';
import { emailContent } from './email-message.js';
import type { EmailChannel } from './settings.js';
import { DELIVERY_HEADER, EVENT_HEADER } from './signature.js';

/**
 * One message through the channel's relay. A transport per attempt: alerts are rare, and a
 * fresh connection picks up changed settings and never inherits a stuck socket. The
 * attempt is bounded as a whole, not only per SMTP phase.
 */
export async function sendEmail(
  channel: EmailChannel,
  outgoing: Outgoing,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<AttemptResult> {
  const { smtp } = channel;
  // Loaded on the first e-mail, not with the server: most servers never send one, and the
  // package's hundred modules stay resident in every server that loads it (BENCHMARKS.md).
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls === 'implicit',
    requireTLS: smtp.tls === 'starttls',
    ignoreTLS: smtp.tls === 'none',
    ...(smtp.username !== undefined
      ? { auth: { user: smtp.username, pass: smtp.password ?? '' } }
      : {}),
    ...(smtp.ca !== undefined ? { tls: { ca: smtp.ca } } : {}),
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  const content = emailContent(outgoing.message);
  const domain = channel.from.slice(channel.from.lastIndexOf('@') + 1);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      onAbort = () => reject(new Error('interrupted: the notifier stopped'));
      if (options.signal?.aborted) onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
    await Promise.race([
      transport.sendMail({
        from: channel.from,
        to: channel.to,
        subject: content.subject,
        text: content.text,
        html: content.html,
        // The same Message-ID on every attempt: a mail client shows a retried alert once.
        messageId: `<${outgoing.id}@${domain}>`,
        headers: { [DELIVERY_HEADER]: outgoing.id, [EVENT_HEADER]: outgoing.message.event },
      }),
      timeout,
    ]);
    return { ok: true, durationMs: elapsed() };
  } catch (error) {
    const code = (error as { responseCode?: number }).responseCode;
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      ...(typeof code === 'number' ? { status: code } : {}),
      error: shortError(message),
      durationMs: elapsed(),
    };
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    transport.close();
  }
}
