/**
 * A stand-in for Ollama's HTTP API (`POST /api/chat`, `POST /api/generate`), faithful to its wire
 * format: one JSON object when `stream` is false, newline-delimited JSON chunks (content split
 * across them, a final `done: true` chunk) when `stream` is true or absent — Ollama's default.
 */

/** How the stand-in's "model" answers. */
export type StandInMode =
  | { kind: 'answer'; content: (request: OllamaRequest) => string }
  | { kind: 'http-error'; status: number; error: string }
  | { kind: 'hang' };

/** The parts of a request the tests look at. */
export interface OllamaRequest {
  path: string;
  model: string;
  format: unknown;
  stream: boolean;
  /** The system + user text the client sent (chat messages joined, or system + prompt). */
  text: string;
  /** The user part alone. */
  user: string;
}

/** A running stand-in. */
export interface OllamaStandIn {
  url: string;
  requests: OllamaRequest[];
  mode: StandInMode;
  stop(): void;
}

function chunk(path: string, model: string, content: string, done: boolean): string {
  const base = { model, created_at: new Date(0).toISOString(), done };
  const body =
    path === '/api/chat'
      ? { ...base, message: { role: 'assistant', content } }
      : { ...base, response: content };
  return JSON.stringify(
    done ? { ...body, done_reason: 'stop', total_duration: 1, eval_count: 1 } : body,
  );
}

/** Starts the stand-in on a free loopback port. */
export function startOllamaStandIn(mode: StandInMode): OllamaStandIn {
  const state: OllamaStandIn = { url: '', requests: [], mode, stop: () => {} };
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (request.method !== 'POST' || (path !== '/api/chat' && path !== '/api/generate')) {
        return new Response('404 page not found', { status: 404 });
      }
      const body = (await request.json()) as Record<string, unknown>;
      const messages = (body.messages ?? []) as { role: string; content: string }[];
      const user =
        path === '/api/chat'
          ? (messages.find((message) => message.role === 'user')?.content ?? '')
          : String(body.prompt ?? '');
      const text =
        path === '/api/chat'
          ? messages.map((message) => message.content).join('\n')
          : `${String(body.system ?? '')}\n${user}`;
      const seen: OllamaRequest = {
        path,
        model: String(body.model),
        format: body.format,
        stream: body.stream !== false,
        text,
        user,
      };
      state.requests.push(seen);
      const current = state.mode;
      if (current.kind === 'http-error') {
        return Response.json({ error: current.error }, { status: current.status });
      }
      if (current.kind === 'hang') {
        // Never answers; the request ends when the client gives up and aborts.
        return new Promise<Response>((resolve) => {
          request.signal.addEventListener('abort', () =>
            resolve(new Response(null, { status: 499 })),
          );
        });
      }
      const content = current.content(seen);
      if (!seen.stream) {
        return new Response(chunk(path, seen.model, content, true), {
          headers: { 'content-type': 'application/json; charset=utf-8' },
        });
      }
      const pieces = content.match(/.{1,7}/gs) ?? [];
      const lines = [
        ...pieces.map((piece) => chunk(path, seen.model, piece, false)),
        chunk(path, seen.model, '', true),
      ];
      return new Response(`${lines.join('\n')}\n`, {
        headers: { 'content-type': 'application/x-ndjson' },
      });
    },
  });
  state.url = `http://127.0.0.1:${server.port}`;
  state.stop = () => server.stop(true);
  return state;
}
