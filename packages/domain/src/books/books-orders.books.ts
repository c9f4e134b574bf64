/**
 * What orders need of the books themselves (stream E's contract): the one place orders reach into the
 * rest of the books module, so the order code reads the same whichever file the books' rules live in.
 */
export { bookForOrder, markBookCompleted, markBookOrdered } from "./books.service.ts";
