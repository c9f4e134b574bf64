/** Every suite, in the order `pnpm bench` runs them when none is named. Add new ones here. */
import type { Suite } from "../lib/suite.ts";
import { rlsRead } from "./rls-read.ts";

export const suites: Suite[] = [rlsRead];
