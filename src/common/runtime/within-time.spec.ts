import { ChildProcess, spawn } from 'node:child_process';
import { connect, Socket } from 'node:net';
import { withinTime } from './within-time';

/** Blocks the event loop for `ms` (a long synchronous stretch of other work). */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

/** An echo server that prints its port; it answers `slow:…` after 50 ms. */
const ECHO_PEER = `require('net').createServer((s) => { s.on('error', () => {}); s.on('data', (d) => (String(d).startsWith('slow:') ? setTimeout(() => s.write(d), 50) : s.write(d))); }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;

describe('withinTime (the /health probes deadline)', () => {
  // The peer runs in a process of its own, like the database: its answer arrives while this
  // process's loop is blocked.
  let peer: ChildProcess;
  let client: Socket;

  beforeAll(async () => {
    peer = spawn(process.execPath, ['-e', ECHO_PEER], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve) => peer.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    client = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  });

  afterAll(() => {
    client.destroy();
    peer.kill();
  });

  /** A probe answered over a socket, like the database's. */
  const echo = (text: string) =>
    new Promise<string>((resolve) => {
      client.once('data', (d) => resolve(d.toString()));
      client.write(text);
    });

  it('an answer in time is the value', async () => {
    await expect(withinTime(() => echo('a'), 500)).resolves.toEqual({ ok: true, value: 'a' });
  });

  it('a probe that never answers is not ok once the time has passed', async () => {
    const started = Date.now();
    await expect(withinTime(() => new Promise(() => undefined), 50)).resolves.toEqual({ ok: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('a failed probe is not ok', async () => {
    await expect(withinTime(() => Promise.reject(new Error('refused')), 500)).resolves.toEqual({ ok: false });
  });

  it('the loop blocked past the deadline while the answer was already waiting: the answer wins, not the deadline', async () => {
    // As on a busy service: right after the probe is sent, other work holds the loop for 400 ms;
    // the peer answers 50 ms in and the 100 ms deadline passes meanwhile. When the loop is free
    // both are waiting, and timers run before sockets are read.
    const result = withinTime(() => echo('slow:b'), 100);
    setImmediate(() => busy(400));
    await expect(result).resolves.toEqual({ ok: true, value: 'slow:b' });
  });
});
