/**
 * CPU used by the Postgres backends serving one database (or by given processes), read from
 * /proc/<pid>/stat (utime + stime).
 * Only possible when the server runs on this machine and its /proc is readable; null otherwise.
 * Resolution is one clock tick (10 ms), fine for rounds of a second or more.
 */
import { readFileSync } from "node:fs";
import pg from "pg";
import type { CpuMeter } from "./runner.ts";

const TICK_US = 10_000; // CLK_TCK = 100 on Linux

function ticks(pid: number | string): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after "(comm)": state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** CPU of these processes (e.g. the API child processes) while a run goes; null when /proc is not readable. */
export function processesCpuMeter(name: string, pids: number[]): CpuMeter | null {
  if (pids.some((pid) => ticks(pid) === null)) return null;
  const total = () => pids.reduce((n, pid) => n + (ticks(pid) ?? 0), 0);
  return {
    name,
    async start() {
      const before = total();
      return async () => (total() - before) * TICK_US;
    },
  };
}

/**
 * CPU of this process's main thread alone: the servers and the database client, without the HTTP load
 * generator's worker thread (which `node` counts too, and which pays more for a bigger answer).
 */
export function mainThreadCpuMeter(): CpuMeter | null {
  const stat = `${process.pid}/task/${process.pid}`;
  if (ticks(stat) === null) return null;
  return {
    name: "main",
    async start() {
      const before = ticks(stat) ?? 0;
      return async () => ((ticks(stat) ?? 0) - before) * TICK_US;
    },
  };
}

export async function postgresCpuMeter(url: string): Promise<(CpuMeter & { close(): Promise<void> }) | null> {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) return null;
  const client = new pg.Client({ connectionString: url, application_name: "inkwell-bench-meter" });
  await client.connect();
  const snapshot = async () => {
    const { rows } = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    const out = new Map<number, number>();
    for (const { pid } of rows) {
      const t = ticks(pid);
      if (t !== null) out.set(pid, t);
    }
    return out;
  };
  const own = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
  if (own === undefined || ticks(own) === null) {
    await client.end();
    return null; // the backends' /proc entries are not visible from here
  }
  return {
    name: "postgres",
    async start() {
      const before = await snapshot();
      return async () => {
        const after = await snapshot();
        let total = 0;
        // Backends that started during the run count in full; ones that ended during it are missed.
        for (const [pid, t] of after) total += t - (before.get(pid) ?? 0);
        return total * TICK_US;
      };
    },
    close: () => client.end(),
  };
}
