import { creditsWord, formatCredits, usePrice } from "../lib/credits.ts";

/**
 * "Costs 20 credits", from the API's price list. Renders nothing until the price is known (or for an
 * operation without a price), so a button never shows a wrong cost.
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
  if (cost === undefined) return null;
  return (
    <span id={id} className={`cost-label${className ? ` ${className}` : ""}`}>
      <CoinIcon />
      Costs {formatCredits(cost)} {creditsWord(cost)}
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
