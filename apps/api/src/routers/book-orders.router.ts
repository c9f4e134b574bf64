import {
  BOOK_BINDINGS,
  BOOK_PAPERS,
  BOOK_SIZES,
  type BookOrdersDeps,
  bookOrders,
  createOrderInput,
  listOrdersInput,
  orderIdInput,
  quoteOrderInput,
  SHIP_COUNTRIES,
  SHIPPING_LEVELS,
} from "@inkwell/domain/books";
import type { Context } from "../trpc/context.ts";
import { publicProcedure, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

const ordersDeps = (ctx: Context): BookOrdersDeps => ({
  db: ctx.deps.db,
  payments: ctx.deps.payments ?? null,
  enqueue: ctx.deps.enqueue,
  log: ctx.deps.log,
  printSandbox: ctx.deps.printSandbox ?? false,
});

/**
 * Printed copies of a book. Quotes and lists are RLS reads; placing an order, paying and reading one
 * call Stripe, so they hold no transaction (signedInProcedure) and open short ones of their own. Only an
 * owner of the book's campaign may quote or order; an order is seen only by its buyer (others: NOT_FOUND).
 */
export const bookOrdersRouter = router({
  options: publicProcedure.query(({ ctx }) => ({
    sizes: BOOK_SIZES,
    bindings: BOOK_BINDINGS,
    papers: BOOK_PAPERS,
    shippingLevels: SHIPPING_LEVELS,
    countries: SHIP_COUNTRIES.map((c) => ({ code: c.code, name: c.name, needsState: c.needsState })),
    paymentsAvailable: Boolean(ctx.deps.payments),
    sandboxPrinter: ctx.deps.printSandbox ?? false,
  })),
  quote: userProcedure.input(quoteOrderInput).query(({ ctx, input }) => bookOrders.quote(ctx.tx, input)),
  create: signedInProcedure
    .input(createOrderInput)
    .mutation(({ ctx, input }) => bookOrders.create(ordersDeps(ctx), ctx.auth.userId, input)),
  pay: signedInProcedure
    .input(orderIdInput)
    .mutation(({ ctx, input }) => bookOrders.pay(ordersDeps(ctx), ctx.auth.userId, input.orderId)),
  get: signedInProcedure
    .input(orderIdInput)
    .query(({ ctx, input }) => bookOrders.get(ordersDeps(ctx), ctx.auth.userId, input.orderId)),
  list: userProcedure
    .input(listOrdersInput)
    .query(({ ctx, input }) => bookOrders.list(ctx.tx, ctx.auth.userId, input, ctx.deps.printSandbox ?? null)),
});
