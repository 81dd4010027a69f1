import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { openLiveChannel, type LiveMessage } from './live-channel.js';

// A real socket.io server on the loopback, as the runtime's live events are.
async function startServer() {
  const http = createServer();
  const io = new Server(http, { path: '/socket.io' });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { io, url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => io.close(r)) };
}

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Collect the channel's messages until `done` says there are enough. */
function collector() {
  const messages: LiveMessage[] = [];
  let wake = () => {};
  const post = (m: LiveMessage) => {
    messages.push(m);
    wake();
  };
  const until = (done: (ms: LiveMessage[]) => boolean) =>
    new Promise<LiveMessage[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(JSON.stringify(messages))), 10_000);
      wake = () => {
        if (!done(messages)) return;
        clearTimeout(timer);
        resolve(messages);
      };
      wake();
    });
  return { post, until };
}

const progress = (nodeId: string, index: number, fraction: number) => ({
  runId: 'r1',
  key: `${nodeId}#${index}`,
  nodeId,
  index,
  fraction,
  outTimeSeconds: fraction * 10,
});

describe('openLiveChannel', () => {
  it("joins the run's room, hands on its answer, and batches the valid events", async () => {
    const server = await startServer();
    closers.push(server.close);
    server.io.on('connection', (socket) => {
      socket.on('subscribe', (msg: { runId: string }, ack: (a: unknown) => void) => {
        void socket.join(`run:${msg.runId}`);
        ack({ ok: true, run: { runId: msg.runId } });
        const room = server.io.to(`run:${msg.runId}`);
        for (let i = 0; i < 50; i++) room.emit('task:progress', progress('enc', i % 5, i / 50));
        room.emit('task:progress', { runId: 'r1', nodeId: 'enc' }); // invalid: dropped
        room.emit('node:state', { runId: 'r1', nodeId: 'enc', state: 'done', done: 5, total: 5 });
      });
    });
    const { post, until } = collector();
    const send = openLiveChannel(post, server.url);
    closers.push(() => send({ type: 'close' }));
    send({ type: 'subscribe', runId: 'r1' });

    const events = (ms: LiveMessage[]) => ms.flatMap((m) => (m.type === 'events' ? m.events : []));
    const messages = await until((ms) => events(ms).length >= 51);
    expect(messages.find((m) => m.type === 'answer')).toEqual({
      type: 'answer',
      runId: 'r1',
      run: { runId: 'r1' },
    });
    const got = events(messages);
    expect(got).toHaveLength(51);
    expect(got.slice(0, 50).map((e) => e.name)).toEqual(Array(50).fill('task:progress'));
    expect(got[49]!.payload).toMatchObject({ nodeId: 'enc', index: 4, fraction: 49 / 50 });
    expect(got[50]).toMatchObject({ name: 'node:state', payload: { state: 'done' } });
    // Batched: far fewer messages than events.
    expect(messages.filter((m) => m.type === 'events').length).toBeLessThan(10);
  });
});
