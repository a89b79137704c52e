// A WebSocket test client that records frames and the close code.
import WebSocket from 'ws';
import { applyDelta, type PortfolioView } from '@finexia/contracts/portfolio.ts';
import { WS_SUBPROTOCOL, type ServerFrame } from '@finexia/contracts/ws.ts';

/** A frame as the server sends it (contracts/ws.ts). */
export type Frame = ServerFrame;

export class TestSocket {
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  private waiters: (() => void)[] = [];
  readonly closed: Promise<number>;
  readonly opened: Promise<void>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.wake();
    });
    this.opened = new Promise((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', (code) => {
        this.closeCode = code;
        this.wake();
        resolve(code);
      }),
    );
  }

  static connect(
    url: string,
    options: { token?: string; via?: 'protocol' | 'query'; autoPong?: boolean } = {},
  ): TestSocket {
    const via = options.via ?? 'protocol';
    const protocols = [WS_SUBPROTOCOL];
    let target = url;
    if (options.token && via === 'protocol') protocols.push(`bearer.${options.token}`);
    if (options.token && via === 'query') target += `?access_token=${encodeURIComponent(options.token)}`;
    return new TestSocket(new WebSocket(target, protocols, { autoPong: options.autoPong ?? true }));
  }

  private wake() {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  /** Resolves with the first frame (new or already received) matching the predicate. */
  async next<F extends Frame>(predicate: (f: Frame) => f is F, timeoutMs?: number): Promise<F>;
  async next(predicate: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  async next(predicate: (f: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      if (this.closeCode !== undefined)
        throw new Error(`socket closed (${this.closeCode}) before the frame arrived`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The portfolio as this client sees it: the last snapshot with every later delta applied. */
  view(): PortfolioView | undefined {
    let view: PortfolioView | undefined;
    for (const f of this.frames) {
      if (f.type === 'snapshot') view = f.data;
      else if (view && f.type === 'event' && f.event === 'portfolio.updated') {
        const applied = applyDelta(view, f.data);
        // a delta the snapshot already contains does not apply; skip it
        if (applied.ok) view = applied.view;
      }
    }
    return view;
  }

  /** Resolves with the client's view once it satisfies the predicate. */
  async nextView(predicate: (v: PortfolioView) => boolean, timeoutMs = 5_000): Promise<PortfolioView> {
    await this.next(() => {
      const v = this.view();
      return v !== undefined && predicate(v);
    }, timeoutMs);
    return this.view() as PortfolioView;
  }

  send(value: unknown) {
    this.socket.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  close() {
    this.socket.close();
    return this.closed;
  }
}
