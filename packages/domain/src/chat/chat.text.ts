/** Cutting text for display (titles, previews) without breaking a character a person sees as one. */
export { cutToGraphemes } from "../generation/index.ts";
