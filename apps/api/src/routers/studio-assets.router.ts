import {
  assetIdInput,
  assets,
  attachAssetInput,
  bulkAssetsInput,
  listAssetsInput,
  updateAssetInput,
} from "@inkwell/domain/studio";
import { OK, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

/**
 * The studio's asset library. The bytes come through `POST /uploads?purpose=studio_asset`
 * (uploads.route.ts); `attach` makes an upload an asset. Attaching, deleting and bulk actions manage
 * their own short transactions (the media parse, and removing deleted files' bytes, happen outside
 * them), so they are signed-in procedures; the rest run in the caller's RLS transaction.
 */
export const studioAssetsRouter = router({
  attach: signedInProcedure.input(attachAssetInput).mutation(({ ctx, input }) => assets.attach(ctx.deps, ctx.auth.userId, input)),
  list: userProcedure.input(listAssetsInput).query(({ ctx, input }) => assets.list(ctx.tx, ctx.deps, input)),
  get: userProcedure.input(assetIdInput).query(({ ctx, input }) => assets.get(ctx.tx, ctx.deps, input.assetId)),
  update: userProcedure.input(updateAssetInput).mutation(({ ctx, input }) => assets.update(ctx.tx, ctx.deps, input)),
  bulk: signedInProcedure.input(bulkAssetsInput).mutation(({ ctx, input }) => assets.bulk(ctx.deps, ctx.auth.userId, input)),
  delete: signedInProcedure.input(assetIdInput).mutation(async ({ ctx, input }) => {
    await assets.remove(ctx.deps, ctx.auth.userId, input.assetId);
    return OK;
  }),
});
