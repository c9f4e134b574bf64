/**
 * Books test kit (`@inkwell/domain/books/testing`): the local sandbox printer that `pnpm dev` and the
 * tests point the print vendor adapter at.
 */

export { FIXTURE_PDF, insertFixtureApprovedBook, insertFixtureBookOrder } from "./print-fixtures.ts";
export { type PrintSandbox, type PrintSandboxOptions, type SandboxPrintJob, startPrintSandbox } from "./print-sandbox.ts";
