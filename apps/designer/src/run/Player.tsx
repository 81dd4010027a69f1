import Hls from 'hls.js';
import { useEffect, useRef } from 'react';

/**
 * The playable output of a run: a ladder's master playlist, else its HLS playlist if there is
 * one, else its first video file.
 */
export function playableOutput(
  outputs: readonly string[],
): { path: string; hls: boolean } | undefined {
  // A ladder's master playlist, else any media playlist.
  const playlist =
    outputs.find((o) => /(^|\/)master\.m3u8$/.test(o)) ?? outputs.find((o) => o.endsWith('.m3u8'));
  if (playlist) return { path: playlist, hls: true };
  const video = outputs.find((o) => /\.(mp4|webm|mkv)$/.test(o));
  return video ? { path: video, hls: false } : undefined;
}

/**
 * The output player. HLS goes through hls.js where Media Source Extensions exist (Chromium),
 * else through native HLS (Safari). The playlist is attached as soon as it exists, so the
 * first segments play while later ones are still being made.
 */
export function Player({ src, hls }: { src: string | undefined; hls: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video || !src) return undefined;
    if (hls && Hls.isSupported()) {
      const player = new Hls({ liveDurationInfinity: false });
      player.loadSource(src);
      player.attachMedia(video);
      return () => player.destroy();
    }
    video.src = src;
    return () => {
      video.removeAttribute('src');
      video.load();
    };
  }, [src, hls]);
  return (
    <video
      ref={ref}
      className="player"
      data-testid="player"
      controls
      muted
      playsInline
      data-src={src ?? ''}
    />
  );
}
