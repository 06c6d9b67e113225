import WebSocket from 'ws';

/**
 * Slack's Socket Mode end on 127.0.0.1: greets each connection with `hello`, sends envelopes
 * (slash_commands, events_api, interactive) and resolves with the bot's acknowledgement.
 */
export async function startFakeSocketMode() {
  const server = new WebSocket.Server({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const acks = new Map<string, (ack: Record<string, unknown>) => void>();
  let socket: WebSocket | undefined;
  let connected: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  let connections = 0;
  let open = 0;
  server.on('connection', (ws) => {
    connections++;
    open++;
    ws.on('close', () => open--);
    socket = ws;
    ws.on('message', (data) => {
      const ack = JSON.parse(String(data)) as { envelope_id?: string };
      if (ack.envelope_id) acks.get(ack.envelope_id)?.(ack);
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0001' } }));
    connected();
  });
  const port = (server.address() as { port: number }).port;
  let sent = 0;
  return {
    url: `ws://127.0.0.1:${port}/link/?ticket=test`,
    connections: () => connections,
    /** Connections not closed yet. */
    open: () => open,
    ready,
    /** Sends one envelope; resolves with the bot's ack for it. */
    async send(type: 'slash_commands' | 'events_api' | 'interactive', payload: Record<string, unknown>): Promise<Record<string, unknown>> {
      await ready;
      const envelopeId = `env-${++sent}`;
      const acked = new Promise<Record<string, unknown>>((resolve) => acks.set(envelopeId, resolve));
      socket!.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' }));
      return acked;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
