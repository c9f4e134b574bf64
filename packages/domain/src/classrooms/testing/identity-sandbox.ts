/**
 * A local stand-in for the two sign-in providers and Clever's roster API, so `pnpm dev` and the tests
 * sign in and roster over real HTTP without the network. One server on 127.0.0.1:
 *
 *   Clever (OAuth 2.0, shaped like clever.com and api.clever.com):
 *     GET  /oauth/authorize        ?response_type=code&client_id&redirect_uri&state&code_challenge&…
 *     POST /oauth/tokens           authorization_code grant (client secret, PKCE S256 checked)
 *     GET  /v3.0/me                { data: { id, type, district }, links }
 *     GET  /v3.0/users/:id         { data: { id, email, name: { first, last }, roles, district } }
 *     GET  /v3.0/users?role=teacher|student, /v3.0/sections, /v3.0/schools, /v3.0/districts
 *                                  what the token's user may see, paged (`limit`, `starting_after`)
 *                                  with `links` rel "next" as Clever does
 *   Google (OpenID Connect) under /google:
 *     GET  /google/.well-known/openid-configuration
 *     GET  /google/authorize, POST /google/token (an RS256 ID token with the nonce), GET /google/userinfo
 *
 * The authorize page approves at once when `login_hint` names a fixture user (the tests), and otherwise
 * renders a small chooser of the fixture users of that provider (`pnpm dev`). The roster is mutable
 * (`roster`, `removeStudent`) so a test can take a student out of a section and sync again.
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export type SandboxProvider = "clever" | "google";

export interface SandboxUser {
  id: string;
  provider: SandboxProvider;
  email: string | null;
  emailVerified?: boolean;
  firstName: string;
  lastName: string;
  /** Clever only. */
  role?: "teacher" | "student";
}

export interface SandboxSection {
  id: string;
  name: string;
  subject?: string;
  grade?: string;
  period?: string;
  teachers: string[];
  students: string[];
}

export interface IdentitySandbox {
  url: string;
  /** Clever's issuer (authorize, tokens) and API base: the server's root. */
  cleverUrl: string;
  /** Google's issuer (discovery at /.well-known/openid-configuration). */
  googleIssuer: string;
  clients: Record<SandboxProvider, { clientId: string; clientSecret: string }>;
  users: SandboxUser[];
  roster: { sections: SandboxSection[] };
  addUser(user: SandboxUser): SandboxUser;
  addSection(section: SandboxSection): SandboxSection;
  removeStudent(sectionId: string, studentId: string): void;
  /** Page size of the Clever list endpoints (tests make it small to walk the `next` links). */
  setPageSize(size: number): void;
  /** Every request's method and path, for assertions. */
  requests: { method: string; path: string }[];
  stop(): Promise<void>;
}

export const SANDBOX_DISTRICT = { id: "dist-sandbox", name: "Sandbox Unified School District" };
export const SANDBOX_SCHOOL = { id: "school-sandbox", name: "Sandbox Middle School", district: SANDBOX_DISTRICT.id };

/** The fixture users `pnpm dev` offers on the chooser page. */
export const SANDBOX_USERS: SandboxUser[] = [
  {
    id: "clever-teacher-rivera",
    provider: "clever",
    role: "teacher",
    email: "rivera@sandbox-school.test",
    firstName: "Ana",
    lastName: "Rivera",
  },
  {
    id: "clever-teacher-okafor",
    provider: "clever",
    role: "teacher",
    email: "okafor@sandbox-school.test",
    firstName: "Chidi",
    lastName: "Okafor",
  },
  {
    id: "clever-student-1",
    provider: "clever",
    role: "student",
    email: "maya@students.sandbox-school.test",
    firstName: "Maya",
    lastName: "Lopez",
  },
  {
    id: "clever-student-2",
    provider: "clever",
    role: "student",
    email: "liam@students.sandbox-school.test",
    firstName: "Liam",
    lastName: "Chen",
  },
  {
    id: "clever-student-3",
    provider: "clever",
    role: "student",
    email: "zoe@students.sandbox-school.test",
    firstName: "Zoe",
    lastName: "Patel",
  },
  { id: "clever-student-4", provider: "clever", role: "student", email: null, firstName: "Noah", lastName: "Kim" },
  {
    id: "google-ada",
    provider: "google",
    email: "ada@gmail.sandbox.test",
    emailVerified: true,
    firstName: "Ada",
    lastName: "Lovelace",
  },
  {
    id: "google-unverified",
    provider: "google",
    email: "grace@gmail.sandbox.test",
    emailVerified: false,
    firstName: "Grace",
    lastName: "Hopper",
  },
];

export const SANDBOX_SECTIONS: SandboxSection[] = [
  {
    id: "section-rivera-1",
    name: "Biology, Period 1",
    subject: "science",
    grade: "7",
    period: "1",
    teachers: ["clever-teacher-rivera"],
    students: ["clever-student-1", "clever-student-2", "clever-student-3"],
  },
  {
    id: "section-rivera-2",
    name: "Biology, Period 3",
    subject: "science",
    grade: "7",
    period: "3",
    teachers: ["clever-teacher-rivera"],
    students: ["clever-student-3", "clever-student-4"],
  },
  {
    id: "section-okafor-1",
    name: "World History",
    subject: "social studies",
    grade: "8",
    period: "2",
    teachers: ["clever-teacher-okafor"],
    students: ["clever-student-2"],
  },
];

interface Grant {
  provider: SandboxProvider;
  userId: string;
  clientId: string;
  redirectUri: string;
  challenge: string | null;
  nonce: string | null;
  scope: string;
  expiresAt: number;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export async function startIdentitySandbox(options: { port?: number; host?: string } = {}): Promise<IdentitySandbox> {
  const users: SandboxUser[] = SANDBOX_USERS.map((u) => ({ ...u }));
  const roster = { sections: SANDBOX_SECTIONS.map((s) => ({ ...s, teachers: [...s.teachers], students: [...s.students] })) };
  const clients = {
    clever: { clientId: "sandbox-clever-client", clientSecret: "sandbox-clever-secret" },
    google: { clientId: "sandbox-google-client", clientSecret: "sandbox-google-secret" },
  };
  const codes = new Map<string, Grant>();
  const tokens = new Map<string, { provider: SandboxProvider; userId: string }>();
  const requests: { method: string; path: string }[] = [];
  let pageSize = 100;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  let base = "";

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };
  const readForm = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
  };
  const bearer = (req: IncomingMessage) => tokens.get(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "");

  function authorize(provider: SandboxProvider, url: URL, res: ServerResponse) {
    const q = url.searchParams;
    const client = clients[provider];
    const redirectUri = q.get("redirect_uri");
    if (q.get("client_id") !== client.clientId || !redirectUri) return json(res, 400, { error: "invalid_client" });
    const back = new URL(redirectUri);
    const state = q.get("state");
    if (state) back.searchParams.set("state", state);
    if (q.get("deny")) {
      back.searchParams.set("error", "access_denied");
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    const hint = q.get("login_hint");
    const user = hint ? users.find((u) => u.provider === provider && (u.id === hint || u.email === hint)) : undefined;
    if (!user) {
      const choices = users
        .filter((u) => u.provider === provider)
        .map((u) => {
          const next = new URL(url);
          next.searchParams.set("login_hint", u.id);
          return `<li><a href="${escapeHtml(next.pathname + next.search)}">${escapeHtml(`${u.firstName} ${u.lastName}`)}</a> <small>${escapeHtml(u.role ?? u.email ?? "")}</small></li>`;
        })
        .join("");
      const deny = new URL(url);
      deny.searchParams.set("deny", "1");
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sandbox ${provider} sign-in</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem"><h1>Sign in with ${provider === "clever" ? "Clever" : "Google"} (sandbox)</h1>
<p>A local stand-in: choose who signs in.</p><ul>${choices}</ul><p><a href="${escapeHtml(deny.pathname + deny.search)}">Cancel</a></p></body></html>`);
      return;
    }
    const method = q.get("code_challenge_method");
    const challenge = q.get("code_challenge");
    if (challenge && method !== "S256") return json(res, 400, { error: "invalid_request", error_description: "S256 only" });
    const code = b64url(randomBytes(24));
    codes.set(code, {
      provider,
      userId: user.id,
      clientId: client.clientId,
      redirectUri,
      challenge,
      nonce: q.get("nonce"),
      scope: q.get("scope") ?? "",
      expiresAt: Date.now() + 60_000,
    });
    back.searchParams.set("code", code);
    if (provider === "google") back.searchParams.set("iss", `${base}/google`);
    res.writeHead(302, { location: back.toString() }).end();
  }

  async function token(provider: SandboxProvider, req: IncomingMessage, res: ServerResponse) {
    const form = await readForm(req);
    const client = clients[provider];
    let id = form.get("client_id");
    let secret = form.get("client_secret");
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (basic) {
      const [u, p] = Buffer.from(basic, "base64").toString("utf8").split(":");
      id = decodeURIComponent(u ?? "");
      secret = decodeURIComponent(p ?? "");
    }
    if (id !== client.clientId || secret !== client.clientSecret) return json(res, 401, { error: "invalid_client" });
    if (form.get("grant_type") !== "authorization_code") return json(res, 400, { error: "unsupported_grant_type" });
    const code = form.get("code") ?? "";
    const grant = codes.get(code);
    codes.delete(code);
    if (!grant || grant.provider !== provider || grant.expiresAt < Date.now() || grant.clientId !== id)
      return json(res, 400, { error: "invalid_grant", error_description: "unknown, used or expired code" });
    if (form.get("redirect_uri") !== grant.redirectUri)
      return json(res, 400, { error: "invalid_grant", error_description: "redirect_uri mismatch" });
    if (grant.challenge) {
      const verifier = form.get("code_verifier") ?? "";
      if (b64url(createHash("sha256").update(verifier).digest()) !== grant.challenge)
        return json(res, 400, { error: "invalid_grant", error_description: "PKCE verification failed" });
    }
    const accessToken = b64url(randomBytes(24));
    tokens.set(accessToken, { provider, userId: grant.userId });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: 3600,
      scope: grant.scope,
    };
    if (provider === "google") {
      const now = Math.floor(Date.now() / 1000);
      const user = users.find((u) => u.id === grant.userId);
      const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid: "sandbox" }));
      const payload = b64url(
        JSON.stringify({
          iss: `${base}/google`,
          aud: client.clientId,
          sub: grant.userId,
          iat: now,
          exp: now + 3600,
          ...(grant.nonce ? { nonce: grant.nonce } : {}),
          ...(user?.email ? { email: user.email, email_verified: user.emailVerified === true } : {}),
        }),
      );
      const signature = sign("sha256", Buffer.from(`${header}.${payload}`), privateKey);
      body.id_token = `${header}.${payload}.${b64url(signature)}`;
    }
    json(res, 200, body);
  }

  const cleverUser = (u: SandboxUser) => ({
    id: u.id,
    district: SANDBOX_DISTRICT.id,
    email: u.email,
    name: { first: u.firstName, last: u.lastName },
    roles: { [u.role ?? "student"]: { school: SANDBOX_SCHOOL.id, schools: [SANDBOX_SCHOOL.id], district: SANDBOX_DISTRICT.id } },
  });

  /** One page of `items` after `starting_after`, with Clever's `links`. */
  function page(res: ServerResponse, url: URL, items: { id: string }[]) {
    const limit = Math.min(Number(url.searchParams.get("limit") ?? pageSize) || pageSize, pageSize);
    const after = url.searchParams.get("starting_after");
    const start = after ? items.findIndex((i) => i.id === after) + 1 : 0;
    const slice = items.slice(start, start + limit);
    const links: { rel: string; uri: string }[] = [{ rel: "self", uri: url.pathname + url.search }];
    const last = slice.at(-1);
    if (last && start + limit < items.length) {
      const next = new URLSearchParams(url.searchParams);
      next.set("starting_after", last.id);
      next.set("limit", String(limit));
      links.push({ rel: "next", uri: `${url.pathname}?${next}` });
    }
    json(res, 200, { data: slice.map((data) => ({ data, uri: `${url.pathname}/${data.id}` })), links });
  }

  function cleverApi(url: URL, req: IncomingMessage, res: ServerResponse) {
    const who = bearer(req);
    if (who?.provider !== "clever") return json(res, 401, { error: "invalid_token" });
    const me = users.find((u) => u.id === who.userId);
    if (!me) return json(res, 401, { error: "invalid_token" });
    const visible = roster.sections.filter((s) => s.teachers.includes(me.id) || s.students.includes(me.id));
    const path = url.pathname;
    if (path === "/v3.0/me") {
      return json(res, 200, {
        data: {
          id: me.id,
          type: me.role === "teacher" ? "user" : "user",
          district: SANDBOX_DISTRICT.id,
          authorized_by: "district",
        },
        links: [
          { rel: "self", uri: "/v3.0/me" },
          { rel: "canonical", uri: `/v3.0/users/${me.id}` },
        ],
      });
    }
    const one = /^\/v3\.0\/users\/([^/]+)$/.exec(path);
    if (one) {
      const ids = new Set([me.id, ...visible.flatMap((s) => [...s.teachers, ...s.students])]);
      const user = users.find((u) => u.id === one[1] && u.provider === "clever" && ids.has(u.id));
      return user ? json(res, 200, { data: cleverUser(user), links: [] }) : json(res, 404, { error: "not found" });
    }
    if (path === "/v3.0/users") {
      const role = url.searchParams.get("role");
      const ids = new Set(
        visible.flatMap((s) =>
          role === "teacher" ? s.teachers : role === "student" ? s.students : [...s.teachers, ...s.students],
        ),
      );
      return page(res, url, users.filter((u) => u.provider === "clever" && ids.has(u.id)).map(cleverUser));
    }
    if (path === "/v3.0/sections") {
      return page(
        res,
        url,
        visible
          .filter((s) => me.role === "teacher" || s.students.includes(me.id))
          .map((s) => ({
            id: s.id,
            name: s.name,
            subject: s.subject,
            grade: s.grade,
            period: s.period,
            school: SANDBOX_SCHOOL.id,
            district: SANDBOX_DISTRICT.id,
            teacher: s.teachers[0],
            teachers: s.teachers,
            students: me.role === "teacher" ? s.students : [me.id],
          })),
      );
    }
    if (path === "/v3.0/schools") return page(res, url, [SANDBOX_SCHOOL]);
    if (path === "/v3.0/districts") return page(res, url, [SANDBOX_DISTRICT]);
    json(res, 404, { error: "not found" });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", base || "http://127.0.0.1");
    requests.push({ method: req.method ?? "GET", path: url.pathname });
    const handle = async () => {
      if (req.method === "GET" && url.pathname === "/oauth/authorize") return authorize("clever", url, res);
      if (req.method === "POST" && url.pathname === "/oauth/tokens") return token("clever", req, res);
      if (url.pathname.startsWith("/v3.0/")) return cleverApi(url, req, res);
      if (url.pathname === "/google/.well-known/openid-configuration") {
        return json(res, 200, {
          issuer: `${base}/google`,
          authorization_endpoint: `${base}/google/authorize`,
          token_endpoint: `${base}/google/token`,
          userinfo_endpoint: `${base}/google/userinfo`,
          response_types_supported: ["code"],
          code_challenge_methods_supported: ["S256"],
          id_token_signing_alg_values_supported: ["RS256"],
          subject_types_supported: ["public"],
        });
      }
      if (req.method === "GET" && url.pathname === "/google/authorize") return authorize("google", url, res);
      if (req.method === "POST" && url.pathname === "/google/token") return token("google", req, res);
      if (url.pathname === "/google/userinfo") {
        const who = bearer(req);
        const user = who?.provider === "google" ? users.find((u) => u.id === who.userId) : undefined;
        if (!user) return json(res, 401, { error: "invalid_token" });
        return json(res, 200, {
          sub: user.id,
          email: user.email,
          email_verified: user.emailVerified === true,
          name: `${user.firstName} ${user.lastName}`,
          given_name: user.firstName,
          family_name: user.lastName,
        });
      }
      json(res, 404, { error: "not found" });
    };
    handle().catch((error) => json(res, 500, { error: String(error) }));
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("identity sandbox: no address");
  base = `http://${host}:${address.port}`;
  return {
    url: base,
    cleverUrl: base,
    googleIssuer: `${base}/google`,
    clients,
    users,
    roster,
    requests,
    addUser(user) {
      users.push(user);
      return user;
    },
    addSection(section) {
      roster.sections.push(section);
      return section;
    },
    removeStudent(sectionId, studentId) {
      const section = roster.sections.find((s) => s.id === sectionId);
      if (section) section.students = section.students.filter((s) => s !== studentId);
    },
    setPageSize(size) {
      pageSize = size;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
