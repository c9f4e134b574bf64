// @vitest-environment jsdom
/**
 * The cost shown next to every Generate button: the listed price, or "0 credits — your model" for an
 * operation the user's own key runs; nothing while either is unknown (never a wrong cost for a moment).
 */
import { QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { queryClient, trpc } from "../lib/api.ts";
import { CostLabel } from "./CostLabel.tsx";

afterEach(() => {
  cleanup();
  queryClient.clear();
});

const prices = [
  { operation: "writer.generate", credits: 10, description: "A writer generation" },
  { operation: "chat.reply", credits: 2, description: "A chat reply" },
];

function show(ownKeyOperations: string[] | undefined) {
  queryClient.setQueryData(trpc.credits.prices.queryKey(), prices);
  if (ownKeyOperations) queryClient.setQueryData(trpc.usage.ownKeyOperations.queryKey(), ownKeyOperations);
  return render(
    <QueryClientProvider client={queryClient}>
      <CostLabel operation="writer.generate" quantity={2} />
      <CostLabel operation="chat.reply" />
    </QueryClientProvider>,
  );
}

describe("CostLabel", () => {
  it("shows the listed price to a user without their own model", () => {
    show([]);
    expect(screen.getByText("Costs 20 credits")).toBeTruthy();
    expect(screen.getByText("Costs 2 credits")).toBeTruthy();
  });

  it("shows 0 credits for what the user's own model runs, and the price for the rest", () => {
    show(["writer.generate"]);
    expect(screen.getByText("0 credits — your model")).toBeTruthy();
    expect(screen.queryByText("Costs 20 credits")).toBeNull();
    expect(screen.getByText("Costs 2 credits")).toBeTruthy();
  });

  it("shows nothing until it knows whether the user's own model runs it", () => {
    const { container } = show(undefined);
    expect(container.textContent).toBe("");
  });
});
