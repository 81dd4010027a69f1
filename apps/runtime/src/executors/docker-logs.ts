/**
 * Decoder for Docker's multiplexed log format (service and container logs without a TTY):
 * frames of an 8-byte header — stream type (1 stdout, 2 stderr), three zero bytes, payload
 * length as big-endian uint32 — followed by the payload. Frames may be split across chunks.
 */
export class DockerFrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: 'stdout' | 'stderr', payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 8) {
      const size = this.buffered.readUInt32BE(4);
      if (this.buffered.length < 8 + size) return;
      const stream = this.buffered[0] === 2 ? 'stderr' : 'stdout';
      this.onFrame(stream, this.buffered.subarray(8, 8 + size));
      this.buffered = this.buffered.subarray(8 + size);
    }
  }
}
