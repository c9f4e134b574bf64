/** Public API of the brand module: the brand kit and how it enters every generation's prompt. */
export { hexToHsl } from "./brand.colors.ts";
export * from "./brand.schemas.ts";
export type { BrandDeps } from "./brand.service.ts";
export * as brand from "./brand.service.ts";
