/**
 * Credits in the web: how amounts and ledger entries read, the price list, and what to refresh after
 * anything that may have spent credits.
 */
import type { LEDGER_ENTRY_TYPES } from "@inkwell/domain/credits/schemas";
import { type QueryClient, useQuery } from "@tanstack/react-query";
import { type Outputs, trpc } from "./api.ts";

export type LedgerEntry = Outputs["credits"]["history"][number];
export type EntryType = (typeof LEDGER_ENTRY_TYPES)[number];
export type Balance = Outputs["credits"]["balance"];
export type Price = Outputs["credits"]["prices"][number];

const number = new Intl.NumberFormat();

/** 5000 → "5,000" (in the reader's locale). */
export const formatCredits = (n: number) => number.format(n);

/** 5000 → "+5,000", −20 → "−20" (a real minus sign, which screen readers read as "minus"). */
export const formatSigned = (n: number) => (n > 0 ? `+${number.format(n)}` : n < 0 ? `−${number.format(-n)}` : "0");

export const creditsWord = (n: number) => (Math.abs(n) === 1 ? "credit" : "credits");

/** Short names for the priced operations (the API's descriptions are sentences). */
const OPERATION_NAMES: Record<string, string> = {
  "chat.reply": "Chat reply",
  "writer.generate": "Writer generation",
  "writer.iterate": "Writer revision",
  "study.generate": "Study material",
  "image.generate": "Image generation",
  "image.describe": "Image description",
  "audio.transcribe": "Audio transcription",
  "voice.analyze": "Voice analysis",
  "knowledge.embed": "Knowledge indexing",
};

/** "chat.reply" → "Chat reply"; an operation this list does not know yet still reads sensibly. */
export function operationName(operation: string | null | undefined): string {
  if (!operation) return "an operation";
  const known = OPERATION_NAMES[operation];
  if (known) return known;
  const words = operation.replace(/[._-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The filter labels for each kind of ledger entry (plural, as in "show me the …"). */
export const ENTRY_TYPE_LABELS: Record<EntryType, string> = {
  grant: "Credits added",
  charge: "Charges",
  hold: "Reservations",
  capture: "Settled reservations",
  release: "Released reservations",
  refund: "Refunds",
  expire: "Expired",
};

const GRANT_NOTES: Record<string, string> = {
  signup: "Welcome credits",
  monthly: "Monthly credits",
  purchase: "Credits purchased",
  bonus: "Bonus credits",
  refund: "Refund",
};

export interface EntryDescription {
  /** "Welcome credits", "Charged for Image generation", "Reserved for Chat reply"… */
  label: string;
  /** A second line, e.g. the reason a reservation was released. */
  detail: string | null;
  /** What the change column shows: a signed amount, or how much was set aside / returned. */
  change: string;
  tone: "plus" | "minus" | "neutral";
}

/** How one ledger entry reads in the history. */
export function describeEntry(
  entry: Pick<LedgerEntry, "type" | "amount" | "heldDelta" | "operation" | "note">,
): EntryDescription {
  const op = operationName(entry.operation);
  const signed = {
    change: formatSigned(entry.amount),
    tone: entry.amount > 0 ? "plus" : entry.amount < 0 ? "minus" : "neutral",
  } as const;
  switch (entry.type) {
    case "grant": {
      const note = entry.note?.trim();
      return { label: (note && (GRANT_NOTES[note] ?? note)) || "Credits added", detail: null, ...signed };
    }
    case "charge":
      return { label: `Charged for ${op}`, detail: null, ...signed };
    case "hold":
      return {
        label: `Reserved for ${op}`,
        detail: "Set aside while it runs; only what it uses is charged.",
        change: `${formatCredits(Math.abs(entry.heldDelta))} on hold`,
        tone: "neutral",
      };
    case "capture":
      return { label: `Charged for ${op}`, detail: "Reservation settled.", ...signed };
    case "release":
      return {
        label: `Reservation released · ${op}`,
        detail: entry.note ? `${entry.note}. Nothing was charged.` : "Nothing was charged.",
        change: `${formatCredits(Math.abs(entry.heldDelta))} returned`,
        tone: "neutral",
      };
    case "refund":
      return {
        label: "Refund",
        detail: entry.operation ? `For ${op}${entry.note ? ` · ${entry.note}` : ""}` : entry.note,
        ...signed,
      };
    case "expire":
      return { label: "Expired", detail: "Unused credits from a grant that reached its expiry date.", ...signed };
    default:
      return { label: entry.note ?? "Credit change", detail: null, ...signed };
  }
}

/** The price list (public, changes only with a deploy). */
export const pricesQuery = () => trpc.credits.prices.queryOptions(undefined, { staleTime: 10 * 60_000 });

export function usePrices() {
  return useQuery(pricesQuery());
}

/** What `operation` costs (times `quantity`), or undefined while the price list loads or if it is unknown. */
export function usePrice(operation: string | undefined, quantity = 1): number | undefined {
  const prices = usePrices().data;
  const unit = operation ? prices?.find((p) => p.operation === operation)?.credits : undefined;
  return unit === undefined ? undefined : unit * quantity;
}

/** The balance the header chip shows; refreshed every minute while the tab is visible. */
export const balanceQuery = () => trpc.credits.balance.queryOptions(undefined, { refetchInterval: 60_000 });

/**
 * After anything that may have spent, reserved or returned credits (a generation, successful or not):
 * the balance, the history, the usage table and the notifications (credit alerts) are stale.
 */
export function refreshCredits(queryClient: QueryClient) {
  return Promise.all([
    queryClient.invalidateQueries(trpc.credits.balance.queryFilter()),
    queryClient.invalidateQueries(trpc.credits.history.pathFilter()),
    queryClient.invalidateQueries(trpc.usage.pathFilter()),
    queryClient.invalidateQueries(trpc.notifications.pathFilter()),
  ]);
}
