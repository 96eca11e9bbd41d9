import type { Socket } from 'node:net';

/** How long a refused client may go on sending before the socket is destroyed anyway (ms). */
export const LINGER_TOTAL_MS = 5000;
/** How long the server waits for more bytes from a refused client before it closes (ms). */
export const LINGER_IDLE_MS = 500;

/**
 * Makes the close that follows a `Connection: close` answer a lingering close.
 *
 * node:http destroys such a socket as soon as the answer is written (`destroySoon`). When the client is still
 * sending a request body (a refused 30 MB upload), destroying a socket with unread bytes makes the kernel send a
 * TCP reset, and the client, busy writing, gets EPIPE or ECONNRESET and never reads the answer: a browser shows
 * "network error" instead of "disk full". Like nginx's lingering close, this half-closes instead (the answer and
 * a FIN go out), discards whatever the client still sends, and destroys the socket when the client closes, after
 * `idleMs` without bytes from it, or after `totalMs` at the latest, so a client cannot hold it open.
 */
export function closeAfterLinger(socket: Socket, idleMs = LINGER_IDLE_MS, totalMs = LINGER_TOTAL_MS): void {
  socket.destroySoon = function lingeringClose(this: Socket) {
    if (this.destroyed) return;
    const destroy = () => {
      clearTimeout(idle);
      clearTimeout(total);
      this.destroy();
    };
    let idle = setTimeout(destroy, idleMs);
    const total = setTimeout(destroy, totalMs);
    this.on('data', () => {
      clearTimeout(idle);
      idle = setTimeout(destroy, idleMs);
    });
    this.once('close', destroy);
    this.once('error', destroy);
    this.end();
    this.resume();
  };
}
