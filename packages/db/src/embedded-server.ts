/**
 * A Postgres wire-protocol server in front of one PGlite instance, for many client connections.
 *
 * Why not pglite-socket's own server: PGlite is a single backend session, so client connections must
 * take turns. pglite-socket's multiplexer takes turns per *protocol message*, so two connections'
 * extended-protocol exchanges (Parse/Bind/Execute/Sync) outside a transaction interleave and clobber
 * each other's unnamed statement ("unnamed prepared statement does not exist" under load, seen with
 * pg-boss workers). Here a turn is a whole exchange, up to and including Sync (or a simple Query),
 * and while a transaction is open only its connection gets turns. A connection that disconnects
 * mid-transaction is rolled back.
 *
 * What stays shared (PGlite has one session): session-level SET, temp tables, named prepared
 * statements and LISTEN. Inkwell uses only transaction-local settings.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const GSSENC_REQUEST = 80877104;
/** Message types after which the client waits for an answer: an exchange ends there. */
const EXCHANGE_END = new Set(["S", "Q", "H", "F"]);

interface Connection {
  id: number;
  socket: Socket;
  buffer: Buffer;
  started: boolean;
  pending: Buffer[];
  closed: boolean;
}

interface Turn {
  conn: Connection;
  messages: Buffer[];
}

export interface PgliteServer {
  port: number;
  stop(): Promise<void>;
}

export async function servePglite(
  db: PGlite,
  options: { host: string; port: number; idleInTransactionMs?: number },
): Promise<PgliteServer> {
  const turns: Turn[] = [];
  const connections = new Set<Connection>();
  let owner: Connection | null = null;
  let ownerLastActive = 0;
  let pumping = false;
  let nextId = 1;
  const idleInTransactionMs = options.idleInTransactionMs ?? 30_000;

  async function pump() {
    if (pumping) return;
    pumping = true;
    try {
      for (;;) {
        const index = owner ? turns.findIndex((t) => t.conn === owner) : turns.length > 0 ? 0 : -1;
        if (index === -1) break;
        const [turn] = turns.splice(index, 1);
        if (!turn || turn.conn.closed) continue;
        try {
          await db.runExclusive(async () => {
            for (let i = 0; i < turn.messages.length; i++) {
              const message = turn.messages[i] as Buffer;
              await db.execProtocolRawStream(new Uint8Array(message), {
                // Persisting after every message would be slow; once per exchange is enough.
                syncToFs: i === turn.messages.length - 1,
                onRawData: (data) => {
                  if (!turn.conn.closed) turn.conn.socket.write(data);
                },
              });
            }
          });
        } catch {
          // Postgres errors travel inside the protocol; a throw here means the exchange itself broke.
          turn.conn.socket.destroy();
        }
        owner = db.isInTransaction() ? turn.conn : null;
        ownerLastActive = Date.now();
      }
    } finally {
      pumping = false;
    }
  }

  async function release(conn: Connection) {
    if (conn.closed) return;
    conn.closed = true;
    connections.delete(conn);
    for (let i = turns.length - 1; i >= 0; i--) if (turns[i]?.conn === conn) turns.splice(i, 1);
    if (owner === conn) {
      // The client vanished inside a transaction: undo it so the others can go on.
      // (exec takes PGlite's query lock itself; wrapping it in runExclusive would deadlock.)
      await db.exec("ROLLBACK").catch(() => {});
      owner = null;
    }
    void pump();
  }

  function onData(conn: Connection, chunk: Buffer) {
    conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk;
    for (;;) {
      if (!conn.started) {
        if (conn.buffer.length < 8) return;
        const length = conn.buffer.readInt32BE(0);
        if (conn.buffer.length < length) return;
        const code = conn.buffer.readInt32BE(4);
        const message = conn.buffer.subarray(0, length);
        conn.buffer = conn.buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          conn.socket.write("N");
          continue;
        }
        if (code === CANCEL_REQUEST) {
          conn.socket.end();
          return;
        }
        conn.started = true;
        turns.push({ conn, messages: [Buffer.from(message)] });
        void pump();
        continue;
      }
      if (conn.buffer.length < 5) return;
      const length = 1 + conn.buffer.readInt32BE(1);
      if (conn.buffer.length < length) return;
      const type = String.fromCharCode(conn.buffer[0] as number);
      const message = Buffer.from(conn.buffer.subarray(0, length));
      conn.buffer = conn.buffer.subarray(length);
      if (type === "X") {
        conn.socket.end();
        void release(conn);
        return;
      }
      conn.pending.push(message);
      if (EXCHANGE_END.has(type)) {
        turns.push({ conn, messages: conn.pending });
        conn.pending = [];
        void pump();
      }
    }
  }

  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    const conn: Connection = { id: nextId++, socket, buffer: Buffer.alloc(0), started: false, pending: [], closed: false };
    connections.add(conn);
    socket.on("data", (chunk) => onData(conn, chunk));
    socket.on("error", () => void release(conn));
    socket.on("close", () => void release(conn));
  });

  // Postgres' idle_in_transaction_session_timeout, for a backend everyone shares: a connection that
  // sits in a transaction while others wait is cut off (and rolled back) instead of stalling them all.
  const watchdog = setInterval(() => {
    if (owner && turns.length > 0 && Date.now() - ownerLastActive > idleInTransactionMs) owner.socket.destroy();
  }, 1000);
  watchdog.unref();

  await db.waitReady;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    port,
    async stop() {
      clearInterval(watchdog);
      for (const conn of connections) conn.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      while (pumping) await new Promise((r) => setTimeout(r, 5));
    },
  };
}
