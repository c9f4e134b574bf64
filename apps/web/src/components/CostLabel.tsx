import { useQuery } from "@tanstack/react-query";
import { trpc } from "../lib/api.ts";
import { creditsWord, formatCredits, usePrice } from "../lib/credits.ts";

/**
 * The operations the signed-in user's own keys run (Settings → AI model, their image API key): those
 * cost them 0 credits. Read again after a minute or when the connection is saved or removed.
 */
export const ownKeyOperationsQuery = () => trpc.usage.ownKeyOperations.queryOptions(undefined, { staleTime: 60_000 });

/**
 * "Costs 20 credits", from the API's price list, or "0 credits — your model" when the user's own key
 * runs the operation. Renders nothing until both are known (or for an operation without a price), so a
 * button never shows a wrong cost; if the user's keys cannot be read, the listed price is shown.
 */
export function CostLabel({
  operation,
  quantity = 1,
  id,
  className,
}: {
  operation: string;
  /** e.g. the number of images asked for. */
  quantity?: number;
  /** For aria-describedby on the button it belongs to. */
  id?: string;
  className?: string;
}) {
  const cost = usePrice(operation, quantity);
  const own = useQuery(ownKeyOperationsQuery());
  if (cost === undefined || own.isPending) return null;
  return (
    <span id={id} className={`cost-label${className ? ` ${className}` : ""}`}>
      <CoinIcon />
      {own.data?.includes(operation) ? "0 credits — your model" : `Costs ${formatCredits(cost)} ${creditsWord(cost)}`}
    </span>
  );
}

export function CoinIcon({ size = 14 }: { size?: number }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" width={size} height={size} fill="none" stroke="currentColor" strokeWidth="2">
      <ellipse cx="12" cy="7" rx="8" ry="3.5" />
      <path d="M4 7v5c0 1.9 3.6 3.5 8 3.5s8-1.6 8-3.5V7M4 12v5c0 1.9 3.6 3.5 8 3.5s8-1.6 8-3.5v-5" strokeLinecap="round" />
    </svg>
  );
}
