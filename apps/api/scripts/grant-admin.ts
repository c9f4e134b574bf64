/**
 * `npx -y pnpm@10 --filter @inkwell/api admin:grant someone@example.com` — make an existing account an
 * administrator.
 *
 * Without DATABASE_URL it reaches the embedded database through the port `pnpm dev` / `pnpm start`
 * serves it on (INKWELL_DB_PORT, 54329): PGlite is one process, so its files cannot be opened while
 * the app runs, and the app must run for the account to exist anyway.
 */
import { createDb, databaseIsReachable } from "@inkwell/db";
import { identity } from "@inkwell/domain/identity";

const email = process.argv[2];
if (!email) {
  console.error("usage: npx -y pnpm@10 --filter @inkwell/api admin:grant <email>");
  process.exit(1);
}
const embeddedPort = Number(process.env.INKWELL_DB_PORT ?? 54329);
const url = process.env.DATABASE_URL ?? `postgres://postgres@127.0.0.1:${embeddedPort}/postgres?sslmode=disable`;
const { db } = createDb({ url, max: 1 });
if (!(await databaseIsReachable(db))) {
  console.error(
    process.env.DATABASE_URL
      ? "The database in DATABASE_URL cannot be reached."
      : `The embedded database is not running: start \`npx -y pnpm@10 dev\` (or start) in another terminal first; it serves the database on 127.0.0.1:${embeddedPort}.`,
  );
  await db.destroy();
  process.exit(1);
}
await identity.grantAdmin(db, email);
await db.destroy();
console.log(`${email} is now an administrator (if the account exists).`);
