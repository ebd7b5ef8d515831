import { FileVideoStore } from '@viwo/core';

const VIDEO_PATH = /^\/videos\/([0-9a-f]{64})\.([a-z0-9]{2,5})$/;

/**
 * `GET /videos/<sha256>.<ext>`: a stored video with the content type of its container (`mp4` →
 * `video/mp4`, `webm` → `video/webm`, `mov` → `video/quicktime`); immutable, like images.
 */
export async function serveVideo(dataDir: string, pathname: string): Promise<Response> {
  const match = VIDEO_PATH.exec(pathname);
  const json = (body: unknown, status: number) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  if (!match) return json({ error: 'video paths are /videos/<64 hex sha256>.<mp4|webm|mov>' }, 400);
  const video = await new FileVideoStore(dataDir).get(match[1]!, match[2]!);
  if (!video) return json({ error: `no video ${match[1]}.${match[2]}` }, 404);
  return new Response(Buffer.from(video.bytes), {
    headers: {
      'content-type': video.mime,
      'cache-control': 'public, max-age=31536000, immutable',
      etag: `"${match[1]}"`,
    },
  });
}
