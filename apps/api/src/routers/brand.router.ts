import { type BrandDeps, brand, saveBrandInput, uploadLogoInput } from "@inkwell/domain/brand";
import type { Context } from "../trpc/context.ts";
import { MiB, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

const brandDeps = (ctx: Context): BrandDeps => ({ db: ctx.deps.db, storage: ctx.deps.storage, keyRing: ctx.deps.keyRing });

/**
 * The brand kit. Reads run in the caller's transaction; changes open their own, because a replaced or
 * removed logo's bytes are deleted only after the change commits, and an upload's bytes are written
 * before any transaction opens (S3 is an HTTP call). The logo travels as base64 (≤ 2 MB decoded, well
 * under the 8 MB body limit), so the upload is an ordinary procedure the inventory and sweep cover.
 */
export const brandRouter = router({
  get: userProcedure.query(({ ctx }) => brand.getKit(ctx.deps, ctx.tx, ctx.auth.userId)),
  save: signedInProcedure.input(saveBrandInput).mutation(({ ctx, input }) => brand.save(brandDeps(ctx), ctx.auth.userId, input)),
  // A 2 MB logo as base64 (the schema allows 4 MiB); kept at the 8 MB the API has always accepted.
  uploadLogo: signedInProcedure
    .meta({ bodyLimit: 8 * MiB })
    .input(uploadLogoInput)
    .mutation(({ ctx, input }) => brand.uploadLogo(brandDeps(ctx), ctx.auth.userId, input)),
  removeLogo: signedInProcedure.mutation(({ ctx }) => brand.removeLogo(brandDeps(ctx), ctx.auth.userId)),
});
