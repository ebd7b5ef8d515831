/**
 * Registers the service worker (`/sw.js`, see service-worker.ts) that the production build
 * emits. Under the Vite dev server there is none, so registration fails quietly and the app
 * always loads fresh code there.
 */
export function registerOfflineShell(): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' }).catch((error) => {
    console.warn('offline shell unavailable:', error);
  });
}
