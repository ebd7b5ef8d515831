import {
  type CapabilityMetadata,
  imagePath,
  type JobResult,
  type OpcodeMetadata,
} from '@viwo/protocol';
import { type Accessor, createSignal } from 'solid-js';
import { errorMessage, type WorkbenchApi } from '../blocks/workbench-api.ts';
import type { ConnectionState, RpcClient } from '../rpc/rpc-client.ts';

/** A toast shown at the bottom right. */
export interface Toast {
  id: number;
  kind: 'info' | 'error';
  text: string;
}

/** Live progress of one job, from `job.progress` notifications. */
export interface JobView {
  jobId: string;
  label: string;
  fraction: number;
  etaMs: number | null;
  preview: string | null;
  /** Queue mode: the worker running the job's current call. */
  worker: string | null;
  done: boolean;
  status: string;
}

/** The app-wide state: the one script both modes edit, the connection, metadata, jobs, toasts. */
export interface Workbench extends WorkbenchApi {
  mode: Accessor<'layer' | 'blocks' | 'chat'>;
  setMode(mode: 'layer' | 'blocks' | 'chat'): void;
  connection: Accessor<ConnectionState>;
  toasts: Accessor<Toast[]>;
  toast(kind: Toast['kind'], text: string): void;
  jobs: Accessor<JobView[]>;
  /** Runs a script without replacing the shared one (generation calls from Layer Mode). */
  execute(script: unknown): Promise<JobResult>;
}

/**
 * Builds the workbench over a connection. Metadata reloads on every (re)connect; the user is told
 * when the connection drops and when it comes back.
 */
export function createWorkbench(rpc: RpcClient, initialScript: unknown): Workbench {
  const [script, setScript] = createSignal<unknown>(initialScript);
  const [mode, setMode] = createSignal<'layer' | 'blocks' | 'chat'>('layer');
  const [opcodes, setOpcodes] = createSignal<OpcodeMetadata[]>([]);
  const [capabilities, setCapabilities] = createSignal<CapabilityMetadata[]>([]);
  const [connection, setConnection] = createSignal<ConnectionState>(rpc.state);
  const [toasts, setToasts] = createSignal<Toast[]>([]);
  const [jobs, setJobs] = createSignal<JobView[]>([]);
  let toastId = 0;
  let lostOnce = false;

  const toast = (kind: Toast['kind'], text: string) => {
    const id = ++toastId;
    setToasts((current) => [...current.slice(-4), { id, kind, text }]);
    setTimeout(
      () => setToasts((current) => current.filter((entry) => entry.id !== id)),
      kind === 'error' ? 8000 : 4000,
    );
  };

  const loadMetadata = async () => {
    try {
      setOpcodes(await rpc.call('get_opcodes'));
      setCapabilities(await rpc.call('get_capability_metadata'));
    } catch (error) {
      toast('error', `could not load metadata: ${errorMessage(error)}`);
    }
  };

  // One toast per outage: failed reconnect attempts re-announce 'reconnecting' each time.
  let previous = rpc.state;
  rpc.onState((state) => {
    setConnection(state);
    if (state === 'open') {
      if (lostOnce) toast('info', 'Reconnected to the server');
      void loadMetadata();
    } else if (state === 'reconnecting' && previous === 'open') {
      lostOnce = true;
      toast('error', 'Connection lost — reconnecting…');
    }
    previous = state;
  });
  if (rpc.state === 'open') void loadMetadata();

  const updateJob = (jobId: string, change: Partial<JobView>) => {
    setJobs((current) => {
      const existing = current.find((job) => job.jobId === jobId);
      if (existing)
        return current.map((job) => (job.jobId === jobId ? { ...job, ...change } : job));
      const created: JobView = {
        jobId,
        label: '',
        fraction: 0,
        etaMs: null,
        preview: null,
        worker: null,
        done: false,
        status: 'running',
        ...change,
      };
      return [created, ...current].slice(0, 20);
    });
  };
  rpc.on('job.progress', (params) => {
    updateJob(params.job_id, {
      ...(typeof params.worker === 'string' ? { worker: params.worker } : {}),
      label: params.label,
      fraction: params.fraction,
      etaMs: params.eta_ms,
      ...(params.preview ? { preview: imagePath(params.preview) } : {}),
    });
  });
  rpc.on('job.done', (params) => {
    setJobs((current) =>
      current.map((job) =>
        job.jobId === params.job_id
          ? {
              ...job,
              done: true,
              status: params.status,
              fraction: params.status === 'done' ? 1 : job.fraction,
            }
          : job,
      ),
    );
  });

  const execute = async (toRun: unknown): Promise<JobResult> => {
    try {
      return await rpc.call('execute_script', { script: toRun });
    } catch (error) {
      toast('error', errorMessage(error));
      throw error;
    }
  };

  return {
    script,
    setScript,
    rpc,
    opcodes,
    capabilities,
    runScript: (toRun?: unknown) => execute(toRun ?? script()),
    mode,
    setMode,
    connection,
    toasts,
    toast,
    jobs,
    execute,
  };
}
