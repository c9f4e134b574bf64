/**
 * The typed API client and the query cache, wired the way @trpc/tanstack-react-query documents for a
 * single-page app: one `QueryClient`, one `createTRPCClient` and a `createTRPCOptionsProxy` singleton
 * (`trpc.x.y.queryOptions()` / `.mutationOptions()` / `.queryKey()`), used with TanStack Query's hooks.
 *
 * Also the one place that knows who is signed in: `auth.me` in the cache is the session state.
 */
import type { AppRouter } from "@inkwell/api/router";
import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpLink, httpSubscriptionLink, isTRPCClientError, splitLink } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";

export type Outputs = inferRouterOutputs<AppRouter>;
export type Me = NonNullable<Outputs["auth"]["me"]>;

function httpStatusOf(error: unknown): number | undefined {
  return isTRPCClientError<AppRouter>(error) ? error.data?.httpStatus : undefined;
}

/** A request that failed because there is no (longer a) session: the user must sign in again. */
function endsSession(error: unknown): boolean {
  if (!isTRPCClientError<AppRouter>(error) || error.data?.code !== "UNAUTHORIZED") return false;
  // Wrong credentials also answer UNAUTHORIZED; sign-out handles its own outcome.
  return !["auth.signIn", "auth.signOut", "auth.signOutEverywhere"].includes(error.data.path ?? "");
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (error) => endsSession(error) && signedOut("expired") }),
  mutationCache: new MutationCache({ onError: (error) => endsSession(error) && signedOut("expired") }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // Client errors (4xx) will not change on retry; network and server errors may.
      retry: (count, error) => {
        const status = httpStatusOf(error);
        return (status === undefined || status >= 500) && count < 2;
      },
    },
    mutations: { retry: false },
  },
});

/**
 * Uploads (base64 files of megabytes) go alone: the API sizes a request's body limit from the
 * procedures in its URL, and two 5 MB images batched together would exceed an upload's limit.
 */
const UPLOADS = new Set(["chat.addDocument", "publishing.posts.uploadMedia", "brand.uploadLogo"]);

/** The API refuses batches of more than 25 calls (apps/api/src/http/procedures.ts). */
const MAX_BATCH_ITEMS = 20;

export const trpcClient = createTRPCClient<AppRouter>({
  links: [
    // Subscriptions (chat.stream) are server-sent events over the browser's EventSource: same origin, so
    // the session cookie goes along, and on a dropped connection it reconnects with the last tracked id.
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink({ url: "/trpc" }),
      false: splitLink({
        condition: (op) => UPLOADS.has(op.path),
        true: httpLink({ url: "/trpc" }),
        false: httpBatchLink({ url: "/trpc", maxItems: MAX_BATCH_ITEMS }),
      }),
    }),
  ],
});

export const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });

export const meQuery = () => trpc.auth.me.queryOptions();

/** The signed-in account (or null), loading it once; route loaders await this before rendering. */
export const ensureMe = () => queryClient.ensureQueryData(meQuery());

export type SignOutReason = "signed-out" | "signed-out-everywhere" | "expired" | "password-reset";
let lastSignOut: SignOutReason | null = null;

/** After sign-in/up: the new account becomes the session; anything cached for someone else goes. */
export function signedIn(me: Me) {
  lastSignOut = null;
  queryClient.removeQueries({ predicate: (q) => q.queryHash !== hashOfMe() });
  queryClient.setQueryData(trpc.auth.me.queryKey(), me);
}

/** After sign-out, or when the server says the session is gone: forget the account's data. */
export function signedOut(reason: SignOutReason) {
  lastSignOut = reason;
  queryClient.removeQueries({ predicate: (q) => q.queryHash !== hashOfMe() });
  queryClient.setQueryData(trpc.auth.me.queryKey(), null);
}

/** Why the user was last signed out in this tab (for the sign-in page's notice and redirect). */
export function lastSignOutReason(): SignOutReason | null {
  return lastSignOut;
}

export function forgetSignOutReason() {
  lastSignOut = null;
}

const hashOfMe = () => JSON.stringify(trpc.auth.me.queryKey());
