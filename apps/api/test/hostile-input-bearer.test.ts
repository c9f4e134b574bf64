/** The hostile-input sweep (hostile-input.test.ts says what and why) sent with a bearer token (an administrator, so admin procedures get past their role check). */
import { describe } from "vitest";
import { itSweepsEveryProcedure, useHostileServer } from "./hostile-input-kit.ts";

useHostileServer();

describe("hostile input over HTTP, every procedure", () => {
  itSweepsEveryProcedure("bearer");
});
