/** How the account jobs run (the definitions, which the service enqueues, are in account.jobs.ts). */
import { handle } from "../jobs/worker-deps.ts";
import { buildExportJob, deleteAccountJob, expireExportsJob } from "./account.jobs.ts";
import { buildExport, deleteAccount, expireExports } from "./account.service.ts";

export const accountHandlers = [
  handle(buildExportJob, async (data, deps) => {
    await buildExport(deps, data);
  }),
  handle(deleteAccountJob, async (data, deps) => {
    await deleteAccount(deps, data.userId);
  }),
  handle(expireExportsJob, async (_data, deps) => {
    const expired = await expireExports(deps);
    if (expired) deps.log.info({ expired }, "data exports expired");
  }),
];
