import { createHash } from 'node:crypto';
import sharp from 'sharp';

/**
 * Deterministic pictures for the stand-in: the same (prompt, model, seed, size) always gives the
 * same pixels, so tests can check that a re-sent task painted the same image.
 */
export async function paintImage(
  key: { prompt: string; model: string; seed: number },
  width: number,
  height: number,
): Promise<Uint8Array> {
  const digest = createHash('sha256')
    .update(`${key.prompt}\u0000${key.model}\u0000${key.seed}`)
    .digest();
  const pixels = new Uint8Array(width * height * 3);
  const [r, g, b, dx, dy] = [digest[0]!, digest[1]!, digest[2]!, digest[3]! | 1, digest[4]! | 1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      pixels[at] = (r + ((x * dx) >> 4)) & 255;
      pixels[at + 1] = (g + ((y * dy) >> 4)) & 255;
      pixels[at + 2] = (b + (((x + y) * (dx ^ dy)) >> 5)) & 255;
    }
  }
  return new Uint8Array(
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .png({ compressionLevel: 1 })
      .toBuffer(),
  );
}

/** The image resized by `factor` (what `upscale` answers). */
export async function resizeImage(bytes: Uint8Array, factor: number): Promise<Uint8Array> {
  const meta = await sharp(bytes).metadata();
  return new Uint8Array(
    await sharp(bytes)
      .resize((meta.width ?? 1) * factor, (meta.height ?? 1) * factor, { kernel: 'nearest' })
      .png()
      .toBuffer(),
  );
}

/** The image with a transparent border (what `removeBackground` answers): RGBA. */
export async function cutOut(bytes: Uint8Array): Promise<Uint8Array> {
  const { data, info } = await sharp(bytes)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const inset = Math.floor(Math.min(info.width, info.height) / 4);
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const inside = x >= inset && y >= inset && x < info.width - inset && y < info.height - inset;
      if (!inside) data[(y * info.width + x) * 4 + 3] = 0;
    }
  }
  return new Uint8Array(
    await sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } })
      .png()
      .toBuffer(),
  );
}

/**
 * A minimal MP4 (ISO-BMFF) file: `ftyp`, then `moov` with a movie header (duration) and one track
 * header (size). Enough for our container sniffing and header probe; it holds no frames.
 */
export function tinyMp4(width: number, height: number, seconds: number, salt: number): Uint8Array {
  const box = (type: string, ...parts: Uint8Array[]): Uint8Array => {
    const size = 8 + parts.reduce((sum, part) => sum + part.length, 0);
    const out = new Uint8Array(size);
    new DataView(out.buffer).setUint32(0, size);
    out.set(new TextEncoder().encode(type), 4);
    let offset = 8;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  };
  const ftyp = box('ftyp', new TextEncoder().encode('isom\u0000\u0000\u0002\u0000isommp41'));
  const mvhd = new Uint8Array(100);
  const mv = new DataView(mvhd.buffer);
  mv.setUint32(12, 1000); // timescale
  mv.setUint32(16, Math.round(seconds * 1000)); // duration
  mv.setUint32(20, 0x00010000); // rate 1.0
  mv.setUint32(96, 2); // next track id
  const tkhd = new Uint8Array(84);
  const tk = new DataView(tkhd.buffer);
  tk.setUint32(0, 0x00000003); // version 0, flags enabled|in-movie
  tk.setUint32(12, 1); // track id
  tk.setUint32(20, Math.round(seconds * 1000));
  tk.setUint32(76, width * 65536);
  tk.setUint32(80, height * 65536);
  const free = new Uint8Array(4);
  new DataView(free.buffer).setUint32(0, salt >>> 0);
  return box(
    'root',
    ftyp,
    box('moov', box('mvhd', mvhd), box('trak', box('tkhd', tkhd))),
    box('free', free),
  ).subarray(8);
}
