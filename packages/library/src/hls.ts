/** One media segment of an HLS playlist. */
export interface HlsSegment {
  readonly uri: string;
  readonly duration: number;
}

/**
 * An HLS media playlist over already-encoded chunks, for incremental playback while a run is
 * still encoding. The playlist is of type EVENT (segments are only ever appended); `ended`
 * adds `#EXT-X-ENDLIST` once the last chunk is in.
 */
export function hlsPlaylist(segments: readonly HlsSegment[], ended: boolean): string {
  for (const s of segments) {
    if (/[\r\n]/.test(s.uri) || s.uri.trim() === '')
      throw new Error(`Invalid HLS segment URI ${JSON.stringify(s.uri)}`);
    if (!Number.isFinite(s.duration) || s.duration < 0)
      throw new Error(`Invalid HLS segment duration ${s.duration}`);
  }
  const target = Math.max(1, ...segments.map((s) => Math.ceil(s.duration)));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:EVENT',
    ...segments.flatMap((s) => [`#EXTINF:${s.duration.toFixed(6)},`, s.uri]),
    ...(ended ? ['#EXT-X-ENDLIST'] : []),
  ];
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------
// Master playlists of a ladder: text from probe data, measured by the runtime.

/** What a media (variant) playlist lists: its segments and the fMP4 init segment, if any. */
export interface MediaPlaylist {
  readonly segments: readonly HlsSegment[];
  /** `#EXT-X-MAP` URI (fragmented MP4 init segment). */
  readonly map?: string;
}

/**
 * Parse an HLS media playlist (as ffmpeg's hls and dash muxers write it): each `#EXTINF`
 * with the next URI line, tags between them skipped. Throws on a playlist without `#EXTM3U`
 * or an `#EXTINF` with no URI after it.
 */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist: the first line is not #EXTM3U');
  const segments: HlsSegment[] = [];
  let map: string | undefined;
  let duration: number | undefined;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (line.startsWith('#EXTINF:')) {
      duration = Number(line.slice('#EXTINF:'.length).split(',')[0]);
      if (!Number.isFinite(duration) || duration < 0)
        throw new Error(`invalid segment duration in ${JSON.stringify(line)}`);
    } else if (line.startsWith('#EXT-X-MAP:')) {
      map = /URI="([^"]*)"/.exec(line)?.[1];
    } else if (!line.startsWith('#')) {
      if (duration === undefined) throw new Error(`segment ${JSON.stringify(line)} has no #EXTINF`);
      segments.push({ uri: line, duration });
      duration = undefined;
    }
  }
  if (duration !== undefined) throw new Error('the last #EXTINF has no segment URI');
  return map === undefined ? { segments } : { segments, map };
}

/** A segment as measured: its duration and its size on disk. */
export interface MeasuredSegment {
  readonly duration: number;
  readonly bytes: number;
}

/**
 * Peak and average bits per second over a rendition's segments (RFC 8216 4.3.4.2: the peak
 * segment bit rate, and the average over the whole presentation), rounded up.
 */
export function measureBandwidth(segments: readonly MeasuredSegment[]): {
  peak: number;
  average: number;
} {
  const timed = segments.filter((s) => s.duration > 0);
  if (timed.length === 0) throw new Error('no segment with a duration to measure a bit rate on');
  const peak = Math.max(...timed.map((s) => (s.bytes * 8) / s.duration));
  const bits = timed.reduce((sum, s) => sum + s.bytes * 8, 0);
  const seconds = timed.reduce((sum, s) => sum + s.duration, 0);
  return { peak: Math.ceil(peak), average: Math.ceil(bits / seconds) };
}

/** What ffprobe (`-show_streams -show_data`, JSON) says about one stream. */
export interface ProbedStream {
  readonly codec_type?: string;
  readonly codec_name?: string;
  readonly codec_tag_string?: string;
  readonly profile?: string;
  readonly level?: number;
  readonly width?: number;
  readonly height?: number;
  readonly avg_frame_rate?: string;
  readonly r_frame_rate?: string;
  /** ffprobe's hex dump of the codec extradata (`-show_data`). */
  readonly extradata?: string;
}

/** The bytes of an ffprobe hex dump (`00000000: 0000 0167 42c0 ...  ascii`). */
export function parseHexDump(dump: string): number[] {
  const bytes: number[] = [];
  for (const line of dump.split('\n')) {
    const m = /^[0-9a-f]{8}: ((?:[0-9a-f]{2,4} ?)+)/i.exec(line.trim());
    if (!m) continue;
    // The hex part ends where two spaces lead to the ASCII column.
    const hex = m[1]!.split('  ')[0]!.replace(/ /g, '');
    for (let i = 0; i + 1 < hex.length; i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16));
  }
  return bytes;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/**
 * `avc1.PPCCLL` from H.264 extradata: profile_idc, the constraint flags and level_idc of the
 * SPS, read from an avcC record (MP4) or the first SPS NAL after a start code (MPEG-TS).
 */
export function avcCodecString(extradata: readonly number[]): string | undefined {
  if (extradata[0] === 1 && extradata.length >= 4) {
    return `avc1.${hex2(extradata[1]!)}${hex2(extradata[2]!)}${hex2(extradata[3]!)}`;
  }
  for (let i = 0; i + 4 < extradata.length; i++) {
    const startCode = extradata[i] === 0 && extradata[i + 1] === 0 && extradata[i + 2] === 1;
    if (startCode && (extradata[i + 3]! & 0x1f) === 7 && i + 6 < extradata.length) {
      return `avc1.${hex2(extradata[i + 4]!)}${hex2(extradata[i + 5]!)}${hex2(extradata[i + 6]!)}`;
    }
  }
  return undefined;
}

/** HEVC general_profile_idc and its compatibility flags (bit-reversed hex, as RFC 6381 writes). */
const HEVC_PROFILES: Readonly<Record<string, [number, string]>> = {
  Main: [1, '6'],
  'Main 10': [2, '4'],
  'Main Still Picture': [3, '8'],
  Rext: [4, '10'],
};

/**
 * The RFC 6381 `CODECS` entry of a probed stream: `avc1.64001f` from the H.264 SPS,
 * `hvc1.1.6.L93.B0` from the HEVC profile and level, `mp4a.40.2` for AAC-LC, and so on.
 * Undefined for a codec this does not know (the caller says so rather than guess).
 */
export function codecString(s: ProbedStream): string | undefined {
  switch (s.codec_name) {
    case 'h264':
      return s.extradata === undefined ? undefined : avcCodecString(parseHexDump(s.extradata));
    case 'hevc': {
      const profile = HEVC_PROFILES[s.profile ?? ''];
      if (!profile || s.level === undefined || s.level < 0) return undefined;
      const tag = s.codec_tag_string === 'hev1' ? 'hev1' : 'hvc1';
      return `${tag}.${profile[0]}.${profile[1]}.L${s.level}.B0`;
    }
    case 'aac': {
      const objectType: Record<string, number> = {
        LC: 2,
        HE: 5,
        'HE-AAC': 5,
        HEv2: 29,
        'HE-AACv2': 29,
        Main: 1,
        LTP: 4,
      };
      const ot = objectType[s.profile ?? 'LC'];
      return ot === undefined ? undefined : `mp4a.40.${ot}`;
    }
    case 'mp3':
      return 'mp4a.40.34';
    case 'ac3':
      return 'ac-3';
    case 'eac3':
      return 'ec-3';
    case 'opus':
      return 'Opus';
    case 'flac':
      return 'fLaC';
    case 'vp9': {
      const profile = /Profile (\d)/.exec(s.profile ?? '')?.[1] ?? '0';
      const level = s.level !== undefined && s.level > 0 ? s.level : 10;
      return `vp09.0${profile}.${String(level).padStart(2, '0')}.08`;
    }
    case 'av1': {
      const profile = { Main: 0, High: 1, Professional: 2 }[s.profile ?? 'Main'] ?? 0;
      const level = s.level !== undefined && s.level >= 0 ? s.level : 8;
      return `av01.${profile}.${String(level).padStart(2, '0')}M.08`;
    }
    default:
      return undefined;
  }
}

/** A frame rate as `FRAME-RATE` writes it (three decimals at most), from `30000/1001`. */
export function frameRate(s: ProbedStream): number | undefined {
  for (const text of [s.avg_frame_rate, s.r_frame_rate]) {
    const [n, d] = (text ?? '').split('/').map(Number);
    if (n && d && Number.isFinite(n / d) && n / d > 0) return Math.round((n / d) * 1000) / 1000;
  }
  return undefined;
}

/** One rendition of a master playlist, measured. */
export interface MasterVariant {
  /** Its media playlist, relative to the master. */
  readonly uri: string;
  readonly bandwidth: number;
  readonly averageBandwidth: number;
  readonly codecs: readonly string[];
  readonly width?: number;
  readonly height?: number;
  readonly frameRate?: number;
}

/** The audio rendition every variant shares (`EXT-X-MEDIA:TYPE=AUDIO`). */
export interface MasterAudio {
  readonly uri: string;
  readonly groupId: string;
  readonly name: string;
  readonly codecs: readonly string[];
  readonly bandwidth: number;
  readonly averageBandwidth: number;
}

const quotedSafe = (what: string, value: string): string => {
  if (/["\r\n]/.test(value) || value.trim() === '')
    throw new Error(`Invalid ${what} for a playlist: ${JSON.stringify(value)}`);
  return value;
};

/**
 * An HLS master playlist: variants ordered by bandwidth (lowest first), each with
 * `BANDWIDTH` / `AVERAGE-BANDWIDTH` (the audio rendition's added when it is separate),
 * `CODECS`, `RESOLUTION` and `FRAME-RATE`; one shared audio group when `audio` is given.
 */
export function masterPlaylist(variants: readonly MasterVariant[], audio?: MasterAudio): string {
  if (variants.length === 0) throw new Error('a master playlist needs at least one variant');
  const sorted = [...variants].sort(
    (a, b) => a.bandwidth - b.bandwidth || a.averageBandwidth - b.averageBandwidth,
  );
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS'];
  if (audio) {
    lines.push(
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${quotedSafe('group id', audio.groupId)}",NAME="${quotedSafe('name', audio.name)}",DEFAULT=YES,AUTOSELECT=YES,URI="${quotedSafe('URI', audio.uri)}"`,
    );
  }
  for (const v of sorted) {
    const codecs = [...v.codecs, ...(audio?.codecs ?? [])].join(',');
    const attrs = [
      `BANDWIDTH=${v.bandwidth + (audio?.bandwidth ?? 0)}`,
      `AVERAGE-BANDWIDTH=${v.averageBandwidth + (audio?.averageBandwidth ?? 0)}`,
      ...(codecs === '' ? [] : [`CODECS="${quotedSafe('CODECS', codecs)}"`]),
      ...(v.width !== undefined && v.height !== undefined
        ? [`RESOLUTION=${v.width}x${v.height}`]
        : []),
      ...(v.frameRate !== undefined ? [`FRAME-RATE=${v.frameRate.toFixed(3)}`] : []),
      ...(audio ? [`AUDIO="${audio.groupId}"`] : []),
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, quotedSafe('URI', v.uri));
  }
  return `${lines.join('\n')}\n`;
}
