import { For, Show } from 'solid-js';
import { authedSrc } from '../auth/authed-image.ts';

/** A video on the wire (`{"$video": sha256, width, height, duration, mime}`). */
export interface VideoRef {
  $video: string;
  width: number;
  height: number;
  duration: number;
  mime: string;
}

const EXTENSIONS: Record<string, string> = {
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/quicktime': 'mov',
};

/** Every video value inside a job's result (results may be lists or objects). */
export function videosIn(value: unknown, found: VideoRef[] = [], depth = 0): VideoRef[] {
  if (depth > 32 || typeof value !== 'object' || value === null) return found;
  const candidate = value as Partial<VideoRef>;
  if (typeof candidate.$video === 'string' && /^[0-9a-f]{64}$/.test(candidate.$video)) {
    if (typeof candidate.mime === 'string' && EXTENSIONS[candidate.mime]) {
      found.push(candidate as VideoRef);
    }
    return found;
  }
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    videosIn(child, found, depth + 1);
  }
  return found;
}

/** Where the server serves a video. */
export function videoUrl(video: VideoRef): string {
  return `/videos/${video.$video}.${EXTENSIONS[video.mime]}`;
}

/** The videos a history entry produced, playable in place. */
export function GalleryVideos(props: { result: unknown }) {
  return (
    <Show when={videosIn(props.result).length > 0}>
      <For each={videosIn(props.result)}>
        {(video) => (
          <figure data-testid="gallery-video">
            {/* biome-ignore lint/a11y/useMediaCaption: generated videos have no captions */}
            <video
              // Signed in, the bytes come with the Bearer header (a <video> cannot send it).
              src={authedSrc(videoUrl(video))}
              controls
              preload="metadata"
              width={Math.min(240, video.width || 240)}
            />
            <figcaption>
              {video.width}×{video.height}, {video.duration} s ·{' '}
              <a
                href={authedSrc(videoUrl(video))}
                download={`viwo-${video.$video.slice(0, 12)}.${EXTENSIONS[video.mime]}`}
              >
                Download
              </a>
            </figcaption>
          </figure>
        )}
      </For>
    </Show>
  );
}
