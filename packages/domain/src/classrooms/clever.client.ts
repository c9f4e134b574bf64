/**
 * A small adapter for Clever's data API v3.0 as the roster sync needs it: the sections and students a
 * teacher's token may see. Lists are paged: each answer carries `links`, and the one with rel "next"
 * (a path on the API's origin) is followed until there is none. Real HTTP (fetch), a timeout per call,
 * and an answer that is not Clever's shape fails the sync rather than half-applying it.
 */
import { z } from "zod";
import { DomainError } from "../platform/errors.ts";

const links = z.array(z.object({ rel: z.string(), uri: z.string() })).default([]);
const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(z.object({ data: item })), links });

export const cleverSection = z.object({
  id: z.string().min(1).max(255),
  name: z.string().min(1).max(200),
  subject: z.string().max(200).nullish(),
  grade: z.string().max(50).nullish(),
  period: z.string().max(50).nullish(),
  teacher: z.string().nullish(),
  teachers: z.array(z.string()).default([]),
  students: z.array(z.string()).default([]),
});
export type CleverSection = z.infer<typeof cleverSection>;

export const cleverUser = z.object({
  id: z.string().min(1).max(255),
  email: z.string().max(254).nullish(),
  name: z
    .object({ first: z.string().max(200).nullish(), last: z.string().max(200).nullish() })
    .partial()
    .nullish(),
});
export type CleverUser = z.infer<typeof cleverUser>;

export interface CleverClient {
  sections(): Promise<CleverSection[]>;
  users(role: "teacher" | "student"): Promise<CleverUser[]>;
  schools(): Promise<{ id: string; name?: string }[]>;
  districts(): Promise<{ id: string; name?: string }[]>;
}

/** At most this many pages per list: a `next` link that never ends must not spin the worker forever. */
const MAX_PAGES = 500;

export function createCleverClient(options: { apiUrl: string; accessToken: string; timeoutMs?: number }): CleverClient {
  const origin = new URL(options.apiUrl);
  const get = async (pathOrUrl: string) => {
    const url = new URL(pathOrUrl, origin);
    // `next` links are paths; one naming another host would send the teacher's token there.
    if (url.origin !== origin.origin) throw new DomainError("UPSTREAM_FAILED", "Clever sent a link to another host.");
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${options.accessToken}`, accept: "application/json" },
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    if (res.status === 401)
      throw new DomainError("PRECONDITION_FAILED", "Clever no longer accepts this sign-in. Sign in with Clever again.");
    if (!res.ok) throw new DomainError("UPSTREAM_FAILED", `Clever answered ${res.status}.`);
    return res.json() as Promise<unknown>;
  };
  async function all<T extends z.ZodType>(path: string, item: T): Promise<z.output<T>[]> {
    const out: z.output<T>[] = [];
    let next: string | undefined = path;
    for (let page = 0; next && page < MAX_PAGES; page++) {
      const parsed = list(item).safeParse(await get(next));
      if (!parsed.success) throw new DomainError("UPSTREAM_FAILED", "Clever returned an unexpected list.");
      for (const entry of parsed.data.data as { data: z.output<T> }[]) out.push(entry.data);
      next = parsed.data.links.find((l) => l.rel === "next")?.uri;
    }
    if (next) throw new DomainError("UPSTREAM_FAILED", "Clever's list did not end.");
    return out;
  }
  const named = z.object({ id: z.string(), name: z.string().optional() }).passthrough();
  return {
    sections: () => all("/v3.0/sections?limit=100", cleverSection),
    users: (role) => all(`/v3.0/users?role=${role}&limit=100`, cleverUser),
    schools: () => all("/v3.0/schools?limit=100", named),
    districts: () => all("/v3.0/districts?limit=100", named),
  };
}
