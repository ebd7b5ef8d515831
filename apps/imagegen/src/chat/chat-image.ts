import { type ImageValue, imagePath } from '@viwo/protocol';
import { authedSrc } from '../auth/authed-image.ts';

/**
 * The `src` for a stored image: its server path, fetched with the user's token when the server
 * has users (call it inside JSX so the element updates once the authorised copy arrives).
 */
export function imageUrl(image: ImageValue | string): string {
  return authedSrc(imagePath(image));
}
