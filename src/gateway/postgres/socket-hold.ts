import type { Socket } from 'node:net';

/**
 * Pauses reading a socket until every promise handed to `until` has settled, whoever
 * asked: a full audit queue, a durable append, the other side's full write buffer.
 * Promises settle in order, so what was held is released in order.
 */
export class SocketHold {
  private holds = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly socket: Socket) {}

  until(work: Promise<unknown>): void {
    this.holds++;
    this.socket.pause();
    this.chain = this.chain
      .then(() => work)
      .then(
        () => this.release(),
        () => this.release(),
      );
  }

  private release(): void {
    this.holds--;
    if (this.holds === 0 && !this.socket.destroyed) this.socket.resume();
  }
}
