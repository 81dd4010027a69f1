import Hls from 'hls.js';
import { useEffect, useRef, useState } from 'react';

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

/** One rendition of a ladder, as the player offers it. */
export interface Rendition {
  readonly index: number;
  readonly height?: number;
  readonly bitrate: number;
}

/** A rendition as a person names it: "720p · 2.4 Mb/s". */
export const renditionLabel = (r: Rendition): string =>
  `${r.height ? `${r.height}p` : `level ${r.index}`} · ${(r.bitrate / 1e6).toFixed(1)} Mb/s`;

/**
 * The output player. HLS goes through hls.js where Media Source Extensions exist (Chromium),
 * else through native HLS (Safari). The playlist is attached as soon as it exists, so the
 * first segments play while later ones are still being made. A ladder's renditions (hls.js
 * levels) can be chosen, or left to hls.js (Auto); the one playing is named.
 */
export function Player({ src, hls }: { src: string | undefined; hls: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  const player = useRef<Hls | undefined>(undefined);
  const [renditions, setRenditions] = useState<readonly Rendition[]>([]);
  const [playing, setPlaying] = useState<number | undefined>();
  const [forced, setForced] = useState(-1);
  useEffect(() => {
    const video = ref.current;
    setRenditions([]);
    setPlaying(undefined);
    setForced(-1);
    if (!video || !src) return undefined;
    if (hls && Hls.isSupported()) {
      const hlsPlayer = new Hls({ liveDurationInfinity: false });
      player.current = hlsPlayer;
      hlsPlayer.on(Hls.Events.MANIFEST_PARSED, (_e, data) =>
        setRenditions(
          data.levels.map((l, index) => ({
            index,
            height: l.height || undefined,
            bitrate: l.bitrate,
          })),
        ),
      );
      hlsPlayer.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => setPlaying(data.level));
      hlsPlayer.loadSource(src);
      hlsPlayer.attachMedia(video);
      return () => {
        player.current = undefined;
        hlsPlayer.destroy();
      };
    }
    video.src = src;
    return () => {
      video.removeAttribute('src');
      video.load();
    };
  }, [src, hls]);
  const current = playing === undefined ? undefined : renditions[playing];
  return (
    <>
      <video
        ref={ref}
        className="player"
        data-testid="player"
        controls
        muted
        playsInline
        data-src={src ?? ''}
      />
      {renditions.length > 1 && (
        <div className="renditions">
          <label className="small">
            Rendition{' '}
            <select
              data-testid="player-level"
              value={forced}
              onChange={(e) => {
                const level = Number(e.target.value);
                setForced(level);
                // -1 gives the choice back to hls.js's bandwidth estimate.
                if (player.current) player.current.currentLevel = level;
              }}
            >
              <option value={-1}>Auto</option>
              {renditions.map((r) => (
                <option key={r.index} value={r.index}>
                  {renditionLabel(r)}
                </option>
              ))}
            </select>
          </label>
          <span
            className="muted small"
            data-testid="player-playing"
            data-level={playing ?? ''}
            data-height={current?.height ?? ''}
          >
            {current ? `playing ${renditionLabel(current)}` : 'loading…'}
          </span>
        </div>
      )}
    </>
  );
}
