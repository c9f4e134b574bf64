/** The hostile-input sweep (hostile-input.test.ts says what and why) sent with a session cookie and our Origin (an ordinary user). */
import { describe } from "vitest";
import { itSweepsEveryProcedure, useHostileServer } from "./hostile-input-kit.ts";

useHostileServer();

describe("hostile input over HTTP, every procedure", () => {
  itSweepsEveryProcedure("cookie");
});
