import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A stand-in OpenAI-compatible Chat Completions server on 127.0.0.1, driven by the real `openai`
 * client. Each request's body is kept (the privacy tests read every one). What it answers is
 * queued by the test: a tool call, an HTTP error, or no answer at all (the client's timeout fires).
 */

export type FakeAnswer =
  | { toolCall: { name: string; arguments: string } }
  | { text: string }
  | { status: number }
  | { hang: true };

export interface FakeOpenAI {
  baseURL: string;
  /** Every request body received, parsed, in order. */
  requests: any[];
  /** Raw request bodies, for text searches. */
  rawBodies: string[];
  /** Answers for the next requests, in order; an empty queue answers 500. */
  queue(...answers: FakeAnswer[]): void;
  close(): Promise<void>;
}

function completion(message: Record<string, unknown>) {
  return { id: 'chatcmpl-fake', object: 'chat.completion', created: 0, model: 'fake', choices: [{ index: 0, finish_reason: 'stop', message }] };
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: any[] = [];
  const rawBodies: string[] = [];
  const answers: FakeAnswer[] = [];
  const hanging: ServerResponse[] = [];
  let n = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      rawBodies.push(raw);
      requests.push(raw ? JSON.parse(raw) : undefined);
      const answer = answers.shift() ?? { status: 500 };
      res.setHeader('content-type', 'application/json');
      if ('hang' in answer) return void hanging.push(res);
      if ('status' in answer) {
        res.statusCode = answer.status;
        return void res.end(JSON.stringify({ error: { message: `fake ${answer.status}`, type: 'fake' } }));
      }
      if ('text' in answer) return void res.end(JSON.stringify(completion({ role: 'assistant', content: answer.text })));
      n++;
      res.end(JSON.stringify(completion({ role: 'assistant', content: null, tool_calls: [{ id: `call_${n}`, type: 'function', function: answer.toolCall }] })));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    rawBodies,
    queue: (...more) => void answers.push(...more),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const toolCall = (name: string, args: Record<string, unknown>): FakeAnswer => ({ toolCall: { name, arguments: JSON.stringify(args) } });
