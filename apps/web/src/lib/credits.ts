/**
 * Credits in the web: how amounts and ledger entries read, the price list, and what to refresh after
 * anything that may have spent credits.
 */
import type { ActivityState } from "@inkwell/domain/credits/schemas";
import { type QueryClient, useQuery } from "@tanstack/react-query";
import { type Outputs, trpc } from "./api.ts";

/** One line of the history: a grant, an expiry, or one operation from reservation to settlement. */
export type CreditLine = Outputs["credits"]["history"][number];
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
  "study.grade": "Short-answer grading",
  "study.score-writing": "Writing feedback",
  "image.generate": "Image generation",
  "image.describe": "Image description",
  "audio.transcribe": "Audio transcription",
  "voice.analyze": "Voice analysis",
  "voice.speak": "Persona voice",
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

/** What each state is called, in the history's filter and in its State column. */
export const STATE_LABELS: Record<ActivityState, string> = {
  added: "Added",
  reserved: "Reserved",
  charged: "Charged",
  released: "Released",
  refunded: "Refunded",
  expired: "Expired",
};

const GRANT_NOTES: Record<string, string> = {
  signup: "Welcome credits",
  monthly: "Monthly credits",
  purchase: "Credits purchased",
  bonus: "Bonus credits",
  refund: "Refund",
};

export interface LineDescription {
  /** "Welcome credits", "Chat reply", "Expired credits"… */
  label: string;
  /** A second line: what a reservation set aside and used, why it was released, a refund's reason. */
  detail: string | null;
  /** What the change column shows: the line's effect on the balance, or what is on hold. */
  change: string;
  tone: "plus" | "minus" | "neutral";
}

/** How one history line reads. */
export function describeLine(
  line: Pick<CreditLine, "state" | "amount" | "reserved" | "charged" | "refunded" | "operation" | "note">,
): LineDescription {
  const op = operationName(line.operation);
  const signed = {
    change: formatSigned(line.amount),
    tone: line.amount > 0 ? "plus" : line.amount < 0 ? "minus" : "neutral",
  } as const;
  const note = line.note?.trim() || null;
  switch (line.state) {
    case "added":
      return { label: (note && (GRANT_NOTES[note] ?? note)) || "Credits added", detail: null, ...signed };
    case "expired":
      return { label: "Expired credits", detail: "Unused credits from a grant that reached its expiry date.", ...signed };
    case "reserved":
      return {
        label: op,
        detail: "Set aside while it runs; only what it uses is charged.",
        change: `${formatCredits(line.reserved)} on hold`,
        tone: "neutral",
      };
    case "charged":
      return {
        label: op,
        detail:
          line.reserved > line.charged
            ? `${formatCredits(line.reserved)} reserved, ${formatCredits(line.charged)} used; the rest came back.`
            : null,
        ...signed,
      };
    case "released":
      return {
        label: op,
        detail: note ? `${note}. Nothing was charged.` : "Nothing was charged.",
        change: "No charge",
        tone: "neutral",
      };
    case "refunded":
      // A bought pack whose payment was refunded: its unspent credits went back with the money.
      if (line.operation === null && line.charged === 0)
        return {
          label: "Credits purchased (refunded)",
          detail: `${formatCredits(line.refunded)} unused ${creditsWord(line.refunded)} taken back with the refund.`,
          ...signed,
        };
      return {
        label: op,
        detail: `${formatCredits(line.charged)} charged, ${formatCredits(line.refunded)} refunded${note ? ` · ${note}` : ""}.`,
        ...signed,
      };
    default:
      return { label: note ?? op, detail: null, ...signed };
  }
}

/**
 * The "not enough credits" example on the credits page, told with the reader's own balance and an
 * operation they can run. While they have enough, the card cannot honestly say they are short, so it
 * says when they would be.
 */
export function shortfallExample(
  available: number,
  price: number,
  operation: string,
): { needed: number | null; available: number | null; message: string } {
  if (available < price) return { needed: price, available, message: "" };
  return {
    needed: null,
    available: null,
    message:
      `A ${operationName(operation).toLowerCase()} costs ${formatCredits(price)} ${creditsWord(price)}; you have ` +
      `${formatCredits(available)} available. If you start one with fewer, this card shows what's needed and what you have.`,
  };
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
