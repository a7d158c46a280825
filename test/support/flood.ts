/**
 * What a hostile server does with its socket: writes the same bytes again and again, as fast as
 * the client takes them (never faster: the server's own memory stays flat), until it has
 * written `total` bytes or the client has gone. And how much memory the client kept at its
 * peak, read from the kernel.
 */
import { readFileSync } from 'node:fs';
import type net from 'node:net';

/**
 * Writes `block` to `socket` again and again until at least `total` bytes are written (whole
 * blocks only, so what follows starts on a line of its own) or it closes; resolves with the count.
 */
export function flood(socket: net.Socket, block: string | Buffer, total: number): Promise<number> {
  const bytes = typeof block === 'string' ? Buffer.from(block, 'latin1') : block;
  // Writes of 64 KiB or more: a short line repeated, so each write is worth its call.
  const unit = Buffer.concat(Array(Math.ceil(65_536 / bytes.length)).fill(bytes) as Buffer[]);
  return new Promise((resolve) => {
    let sent = 0;
    const done = () => {
      socket.off('close', done);
      resolve(sent);
    };
    const go = () => {
      while (sent < total && !socket.destroyed) {
        sent += unit.length;
        if (!socket.write(unit)) return void socket.once('drain', go);
      }
      done();
    };
    socket.once('close', done);
    go();
  });
}

/** The peak resident memory of process `pid` so far, in bytes (Linux: VmHWM). */
export function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  if (kilobytes === undefined) throw new Error(`no VmHWM for process ${pid}`);
  return Number(kilobytes) * 1024;
}
