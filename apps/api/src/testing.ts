/**
 * Test support of the API (`@inkwell/api/testing`), apart from the production entry: the procedure
 * inventory with its row fixtures (the cross-user sweep), and a tRPC context without an HTTP request.
 */
export { fixtures, inventory } from "./inventory.ts";
export { createTestContext } from "./trpc/context.ts";
