import { type CapabilityDefinition, FileVideoStore, type Plugin } from '@viwo/core';
import packageJson from '../package.json' with { type: 'json' };
import { createRunwareCapability } from './capability/runware-capability.ts';
import { RunwareClient } from './client/runware-client.ts';
import { RunwareKey } from './runware-key.ts';
import { RunwareService, type RunwareSettings } from './runware-service.ts';

/** Runware's WebSocket API endpoint. */
export const DEFAULT_RUNWARE_URL = 'wss://ws-api.runware.ai/v1';

/** Options of {@link createRunwarePlugin}; every one has a production default. */
export interface RunwarePluginOptions {
  /** Endpoint; default `VIWO_RUNWARE_URL` or {@link DEFAULT_RUNWARE_URL}. */
  url?: string;
  /** A key for this plugin instance only (tests); normally `RUNWARE_API_KEY` or the config file. */
  apiKey?: string;
  /** Environment to read (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Cloud calls running at once (default 4); independent of the local device queue. */
  concurrency?: number;
  /** Patience for one image task (default 60 s). */
  taskTimeoutMs?: number;
  /** Patience for a whole video, polling included (default 10 min). */
  videoTimeoutMs?: number;
  /** Interval of `getResponse` polls for videos (default 2 s). */
  pollIntervalMs?: number;
  /** How long to keep reconnecting after a dropped socket (default 5 s). */
  reconnectWindowMs?: number;
  /** Heartbeat ping interval (default 30 s). */
  heartbeatMs?: number;
  /** Idle connections close after this long (default 2 min). */
  idleCloseMs?: number;
  /** Largest message accepted from Runware (default 48 MiB). */
  maxMessageBytes?: number;
  /** Largest result image in bytes (default 32 MiB). */
  maxResultBytes?: number;
  /** Largest result video in bytes (default 256 MiB). */
  maxVideoBytes?: number;
  /** Largest result image in pixels (default 4096×4096). */
  maxPixels?: number;
  /** How Runware delivers result images (default base64 in the message: no second request). */
  outputType?: RunwareSettings['outputType'];
}

/**
 * The Runware cloud backend as a plugin: capability `runware`, always registered (without a key
 * its calls fail saying how to set one).
 */
export function createRunwarePlugin(options: RunwarePluginOptions = {}): Plugin {
  let client: RunwareClient | undefined;
  let service: RunwareService | undefined;
  return {
    name: 'runware',
    version: packageJson.version,
    async init(context) {
      const env = options.env ?? process.env;
      const url = options.url ?? env.VIWO_RUNWARE_URL ?? DEFAULT_RUNWARE_URL;
      checkUrl(url);
      const key = new RunwareKey(context.dataDir, env, options.apiKey);
      client = new RunwareClient({
        url,
        apiKey: () => key.current(),
        maxMessageBytes: options.maxMessageBytes ?? 48 * 1024 * 1024,
        reconnectWindowMs: options.reconnectWindowMs ?? 5000,
        heartbeatMs: options.heartbeatMs ?? 30_000,
        idleCloseMs: options.idleCloseMs ?? 120_000,
        log: (level, message) => context.log(level, message),
      });
      service = new RunwareService(
        client,
        {
          url,
          taskTimeoutMs: options.taskTimeoutMs ?? 60_000,
          videoTimeoutMs: options.videoTimeoutMs ?? 10 * 60_000,
          pollIntervalMs: options.pollIntervalMs ?? 2000,
          maxResultBytes: options.maxResultBytes ?? 32 * 1024 * 1024,
          maxVideoBytes: options.maxVideoBytes ?? 256 * 1024 * 1024,
          maxPixels: options.maxPixels ?? 4096 * 4096,
          outputType: options.outputType ?? 'base64Data',
          concurrency: options.concurrency ?? 4,
        },
        new FileVideoStore(context.dataDir),
        () => key.current(),
        (level, message) => context.log(level, message),
      );
    },
    capabilities(): CapabilityDefinition[] {
      if (!service) throw new Error('runware: capabilities() called before init');
      return [createRunwareCapability(service)];
    },
    async dispose() {
      client?.dispose();
    },
  };
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`VIWO_RUNWARE_URL ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'wss:' && parsed.protocol !== 'ws:') {
    throw new Error(`VIWO_RUNWARE_URL must be a ws:// or wss:// URL, got ${parsed.protocol}`);
  }
}
