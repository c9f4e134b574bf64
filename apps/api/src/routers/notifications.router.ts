import { listNotificationsInput, notificationIdInput, notifications } from "@inkwell/domain/notifications";
import { OK, router, userProcedure } from "../trpc/init.ts";

/** The signed-in user's notifications, in the caller's RLS transaction (someone else's id is NOT_FOUND). */
export const notificationsRouter = router({
  list: userProcedure.input(listNotificationsInput).query(({ ctx, input }) => notifications.list(ctx.tx, input)),
  markRead: userProcedure.input(notificationIdInput).mutation(async ({ ctx, input }) => {
    await notifications.markRead(ctx.tx, input.id);
    return OK;
  }),
  unreadCount: userProcedure.query(({ ctx }) => notifications.unreadCount(ctx.tx)),
  markAllRead: userProcedure.mutation(async ({ ctx }) => ({ marked: await notifications.markAllRead(ctx.tx) })),
});
