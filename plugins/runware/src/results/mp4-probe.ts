/** What an ISO-BMFF (MP4/QuickTime) header says about the video in it. */
export interface Mp4Info {
  width: number;
  height: number;
  /** Seconds, from the movie header. */
  duration: number;
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'udta']);

/**
 * Reads the movie header (`mvhd`: duration) and the first visual track header (`tkhd` with a
 * non-zero size) by walking boxes; null when the file has no such header (or is not ISO-BMFF).
 * Bounded: every box size is checked against its parent, so a hostile file cannot make it loop.
 */
export function probeMp4(bytes: Uint8Array): Mp4Info | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const info: Partial<Mp4Info> = {};
  walk(view, 0, bytes.length, info, 0);
  if (info.duration === undefined || info.width === undefined || info.height === undefined) {
    return null;
  }
  return info as Mp4Info;
}

function walk(view: DataView, start: number, end: number, info: Partial<Mp4Info>, depth: number) {
  let offset = start;
  while (offset + 8 <= end && depth < 8) {
    let size = view.getUint32(offset);
    const type = String.fromCharCode(
      view.getUint8(offset + 4),
      view.getUint8(offset + 5),
      view.getUint8(offset + 6),
      view.getUint8(offset + 7),
    );
    let header = 8;
    if (size === 1) {
      if (offset + 16 > end) return;
      size = Number(view.getBigUint64(offset + 8));
      header = 16;
    } else if (size === 0) size = end - offset;
    if (size < header || offset + size > end) return;
    const body = offset + header;
    if (CONTAINERS.has(type)) walk(view, body, offset + size, info, depth + 1);
    else if (type === 'mvhd') readMovieHeader(view, body, offset + size, info);
    else if (type === 'tkhd' && info.width === undefined)
      readTrackHeader(view, body, offset + size, info);
    offset += size;
  }
}

function readMovieHeader(view: DataView, body: number, end: number, info: Partial<Mp4Info>) {
  const version = view.getUint8(body);
  const need = version === 1 ? 32 : 20;
  if (body + need > end) return;
  const timescale = view.getUint32(body + (version === 1 ? 20 : 12));
  const duration = version === 1 ? Number(view.getBigUint64(body + 24)) : view.getUint32(body + 16);
  if (timescale > 0) info.duration = Math.round((duration / timescale) * 1000) / 1000;
}

function readTrackHeader(view: DataView, body: number, end: number, info: Partial<Mp4Info>) {
  const version = view.getUint8(body);
  // version 0: 4 (version/flags) + 20 (times, id, reserved, duration); version 1 adds 12.
  const sizeAt = body + (version === 1 ? 36 : 24) + 8 + 8 + 36;
  if (sizeAt + 8 > end) return;
  const width = view.getUint32(sizeAt) / 65536;
  const height = view.getUint32(sizeAt + 4) / 65536;
  if (width > 0 && height > 0) {
    info.width = Math.round(width);
    info.height = Math.round(height);
  }
}
