import { openLiveChannel, type LiveCommand, type LiveMessage } from './live-channel.js';

// The live channel's worker: socket.io and event parsing off the main thread. (Typed by hand:
// the app's lib is the DOM's, not the worker's.)
const scope = self as unknown as {
  postMessage(message: LiveMessage): void;
  onmessage: ((e: MessageEvent<LiveCommand>) => void) | null;
};
const send = openLiveChannel((message) => scope.postMessage(message));
scope.onmessage = (e) => send(e.data);
