/**
 * A stand-in worker process for publish-slots.test.ts: takes SLOTS_TAKE of SLOTS_HOST's request slots
 * (SLOTS_PER_HOST in all) on DATABASE_URL, says "held" and keeps them until it is killed.
 */
import { createHostSlots } from "@inkwell/domain/posts";

const slots = await createHostSlots({ url: process.env.DATABASE_URL as string, perHost: Number(process.env.SLOTS_PER_HOST) });
const host = process.env.SLOTS_HOST as string;
await Promise.all(Array.from({ length: Number(process.env.SLOTS_TAKE) }, () => slots.acquire(host)));
process.stdout.write(`held ${slots.held(host)}\n`);
setInterval(() => undefined, 60_000);
