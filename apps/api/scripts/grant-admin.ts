/** `pnpm --filter @inkwell/api admin:grant someone@example.com` — make an existing account an administrator. */
import { createDb } from "@inkwell/db";
import { identity } from "@inkwell/domain/identity";

const email = process.argv[2];
const url = process.env.DATABASE_URL;
if (!email || !url) {
  console.error("usage: DATABASE_URL=... pnpm --filter @inkwell/api admin:grant <email>");
  process.exit(1);
}
const { db } = createDb({ url, max: 1 });
await identity.grantAdmin(db, email);
await db.destroy();
console.log(`${email} is now an administrator (if the account exists).`);
