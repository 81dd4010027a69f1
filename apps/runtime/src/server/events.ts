import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import {
  runRoom,
  SubscribeMessageSchema,
  type ServerEventName,
  type ServerEvents,
  type SubscribeAck,
} from '@reelflow/fbp-model';
import type { RunManager } from '../runs/manager.js';

type Ack = (answer: SubscribeAck) => void;

/**
 * socket.io on the runtime's HTTP server. A client emits `subscribe` `{ runId }` to join the
 * run's room; every event of that run then reaches it, each carrying `runId`.
 */
export function createEvents(
  httpServer: HttpServer,
  manager: () => RunManager | undefined,
): Server {
  const io = new Server(httpServer, { serveClient: false, cors: { origin: false } });
  io.on('connection', (socket) => {
    socket.on('subscribe', async (payload: unknown, ack?: Ack) => {
      const parsed = SubscribeMessageSchema.safeParse(payload);
      if (!parsed.success) return ack?.({ ok: false, error: 'subscribe needs { runId }' });
      const run = await manager()?.view(parsed.data.runId);
      if (!run) return ack?.({ ok: false, error: `no run ${parsed.data.runId}` });
      await socket.join(runRoom(parsed.data.runId));
      ack?.({ ok: true, run });
    });
    socket.on('unsubscribe', async (payload: unknown) => {
      const parsed = SubscribeMessageSchema.safeParse(payload);
      if (parsed.success) await socket.leave(runRoom(parsed.data.runId));
    });
  });
  return io;
}

/** Send one run event to the run's room. */
export function publishTo(io: Server) {
  return <K extends ServerEventName>(name: K, payload: ServerEvents[K]): void => {
    io.to(runRoom(payload.runId)).emit(name, payload);
  };
}
