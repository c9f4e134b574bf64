/**
 * Public API of the books module: a campaign's stories and photos designed into a book, rendered by the
 * worker (interior and cover PDFs, page previews), a proof approved, then ordered (the orders module,
 * through bookForOrder / markBookOrdered / markBookCompleted).
 */

export { booksJobs, renderBookJob } from "./books.jobs.ts";
export { pdfPageImageCounts, pdfPageTexts, type RenderInput, type RenderOutput, type RenderStory } from "./books.render.ts";
export { DEFAULT_RENDER_LIMITS, type RenderLimits, type RenderOutcome, renderInChild } from "./books.render-process.ts";
export * from "./books.schemas.ts";
export * as books from "./books.service.ts";
export {
  BOOK_FILE_PURPOSES,
  type BooksDeps,
  bookForOrder,
  markBookCompleted,
  markBookOrdered,
  type RenderDeps,
  type RenderResult,
} from "./books.service.ts";
export { bookOrdersJobs, pollPrintJobJob, submitPrintJobJob, sweepPrintJobsJob } from "./books-orders.jobs.ts";
export * from "./books-orders.schemas.ts";
// Orders of printed copies (stream F): options, prices, the print vendor adapter and its jobs.
export type { BookOrdersDeps, PrintDeps } from "./books-orders.service.ts";
export * as bookOrders from "./books-orders.service.ts";
export {
  createPrintVendorClient,
  DEFAULT_PRINT_API_URL,
  type PrintVendorClient,
  type PrintVendorEnv,
  PrintVendorError,
  type PrintVendorRuntime,
  printVendorEnvSchema,
  printVendorRuntimeFromEnv,
} from "./print-vendor.ts";
