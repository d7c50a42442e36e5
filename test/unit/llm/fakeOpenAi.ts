// A local server that speaks enough of the OpenAI chat-completions protocol for the LLM step:
// POST …/chat/completions, records every request, and answers as each test scripts it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  rawBody: string;
  body: any;
}

export type Reply =
  | { kind: 'content'; content: string; delayMs?: number }
  | { kind: 'status'; status: number; body?: unknown }
  | { kind: 'hang' };

export interface FakeServer {
  baseUrl: string;
  origin: string;
  requests: RecordedRequest[];
  /** Answers the next requests in order; the last one repeats. */
  script(...replies: Reply[]): void;
  close(): Promise<void>;
}

export function completion(content: string, model = 'test-model') {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

export async function startFakeOpenAi(): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  let replies: Reply[] = [{ kind: 'content', content: '{"explanation":"ok","hypotheses":[]}' }];
  const open = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawBody, body });
      const reply = replies.length > 1 ? replies.shift()! : replies[0]!;
      if (req.method !== 'POST' || !/\/chat\/completions(\?|$)/.test(req.url ?? '')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      if (reply.kind === 'hang') {
        open.add(res);
        res.on('close', () => open.delete(res));
        return;
      }
      if (reply.kind === 'status') {
        res
          .writeHead(reply.status, { 'content-type': 'application/json' })
          .end(JSON.stringify(reply.body ?? { error: { message: `status ${reply.status}` } }));
        return;
      }
      const send = () => {
        if (!res.writableEnded && !res.destroyed) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(reply.content)));
        }
      };
      if (reply.delayMs) {
        open.add(res);
        const timer = setTimeout(send, reply.delayMs);
        res.on('close', () => (clearTimeout(timer), open.delete(res)));
      } else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    baseUrl: `${origin}/v1`,
    requests,
    script: (...next) => {
      replies = next;
    },
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
