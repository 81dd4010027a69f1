import { ServerEventSchemas, type ServerEventName } from '@reelflow/fbp-model';
import { io, type Socket } from 'socket.io-client';
import type { RunEvent } from './run-events.js';

/** What the run controller asks of the live channel. */
export type LiveCommand =
  | { readonly type: 'subscribe'; readonly runId: string }
  | { readonly type: 'unsubscribe'; readonly runId: string }
  | { readonly type: 'close' };

/** What the live channel tells the run controller. */
export type LiveMessage =
  /** Parsed events, in arrival order, gathered over a few milliseconds. */
  | { readonly type: 'events'; readonly events: readonly RunEvent[] }
  /** The socket (re)connected: the controller catches up on what it missed. */
  | { readonly type: 'connect' }
  /** The runtime's answer to a subscribe: the run as it is now, not yet validated. */
  | { readonly type: 'answer'; readonly runId: string; readonly run: unknown };

const EVENT_NAMES = Object.keys(ServerEventSchemas) as ServerEventName[];
/** Events are handed on at most this often; the controller folds them once per frame. */
const BATCH_MS = 16;

/**
 * The socket.io side of live runs: connects, joins the followed run's room (again after a
 * reconnect), validates each event and hands them on in batches through `post`.
 * It runs in a worker (`live-worker.ts`) so that thousands of socket messages a second are
 * received and parsed off the main thread, which then gets one message a frame. Returns the
 * function that takes the controller's commands.
 */
export function openLiveChannel(post: (message: LiveMessage) => void, url?: string) {
  let socket: Socket | undefined;
  let runId: string | undefined;
  let batch: RunEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    timer = undefined;
    const events = batch;
    batch = [];
    if (events.length > 0) post({ type: 'events', events });
  };
  const subscribe = (sock: Socket, id: string) =>
    sock.emit('subscribe', { runId: id }, (answer: unknown) =>
      post({ type: 'answer', runId: id, run: (answer as { run?: unknown } | undefined)?.run }),
    );
  const connect = (): Socket => {
    if (socket) return socket;
    // Without a URL, socket.io connects to the page's (or the worker's) own origin.
    const sock = io(url, { path: '/socket.io', transports: ['websocket', 'polling'] });
    for (const name of EVENT_NAMES) {
      sock.on(name, (payload: unknown) => {
        const parsed = ServerEventSchemas[name].safeParse(payload);
        if (!parsed.success) return;
        batch.push({ name, payload: parsed.data } as RunEvent);
        timer ??= setTimeout(flush, BATCH_MS);
      });
    }
    // After a reconnect the room is gone on the server: join again and catch up.
    sock.on('connect', () => {
      if (runId) subscribe(sock, runId);
      post({ type: 'connect' });
    });
    socket = sock;
    return sock;
  };

  return (command: LiveCommand): void => {
    switch (command.type) {
      case 'subscribe': {
        runId = command.runId;
        const sock = connect();
        if (sock.connected) subscribe(sock, command.runId);
        break;
      }
      case 'unsubscribe':
        if (runId === command.runId) runId = undefined;
        if (socket?.connected) socket.emit('unsubscribe', { runId: command.runId });
        break;
      case 'close':
        if (timer !== undefined) clearTimeout(timer);
        socket?.disconnect();
        socket = undefined;
        break;
    }
  };
}

/**
 * The live channel in a worker where the browser has workers, else on this thread; either way
 * messages come back through `onMessage`, never synchronously from `send`.
 */
export function startLiveChannel(onMessage: (message: LiveMessage) => void) {
  if (typeof Worker === 'undefined') {
    const send = openLiveChannel((m) => queueMicrotask(() => onMessage(m)));
    return { send, dispose: () => send({ type: 'close' }) };
  }
  const worker = new Worker(new URL('./live-worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<LiveMessage>) => onMessage(e.data);
  return {
    send: (command: LiveCommand) => worker.postMessage(command),
    dispose: () => {
      worker.postMessage({ type: 'close' } satisfies LiveCommand);
      worker.terminate();
    },
  };
}
