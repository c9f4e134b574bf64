/**
 * Book orders: options, prices, the shipping address and an order as its buyer sees it. Imports only
 * zod, so the web builds its order form from the same options and validates the address the same way.
 *
 * Prices are computed on the server from the price list below (`quoteOrder` is pure, so the web's
 * live price and the checkout amount are the same function's answer); the client never sends a price.
 */
import { z } from "zod";

export const BOOK_SIZES = [
  { id: "6x9", label: "6 × 9 in (trade)", trim: "0600X0900", factor: 1 },
  { id: "8.5x8.5", label: "8.5 × 8.5 in (square)", trim: "0850X0850", factor: 1.2 },
  { id: "8.5x11", label: "8.5 × 11 in (letter)", trim: "0850X1100", factor: 1.35 },
] as const;
export const BOOK_BINDINGS = [
  { id: "paperback", label: "Paperback", code: "PB", baseCents: 450, minPages: 32 },
  { id: "hardcover", label: "Hardcover", code: "CW", baseCents: 1_100, minPages: 24 },
] as const;
export const BOOK_PAPERS = [
  { id: "standard", label: "Standard (60# uncoated white)", code: "STD060UW444", perPageCents: 3 },
  { id: "premium", label: "Premium (80# coated white)", code: "PRE080CW444", perPageCents: 6 },
] as const;
export const SHIPPING_LEVELS = [
  { id: "MAIL", label: "Standard mail (8–14 days)", baseCents: 599, extraCopyCents: 150 },
  { id: "EXPEDITED", label: "Expedited (3–5 days)", baseCents: 1_299, extraCopyCents: 200 },
  { id: "EXPRESS", label: "Express (1–2 days)", baseCents: 2_499, extraCopyCents: 300 },
] as const;
/** The printer's largest book; longer ones cannot be bound. */
export const MAX_PRINT_PAGES = 800;
export const MAX_ORDER_QUANTITY = 50;
export const ORDER_CURRENCY = "usd";

export type BookSize = (typeof BOOK_SIZES)[number]["id"];
export type BookBinding = (typeof BOOK_BINDINGS)[number]["id"];
export type BookPaper = (typeof BOOK_PAPERS)[number]["id"];
export type ShippingLevel = (typeof SHIPPING_LEVELS)[number]["id"];

const ids = <T extends readonly { id: string }[]>(list: T) => list.map((x) => x.id) as [T[number]["id"], ...T[number]["id"][]];

export const bookOptionsSchema = z.object({
  size: z.enum(ids(BOOK_SIZES)),
  binding: z.enum(ids(BOOK_BINDINGS)),
  paper: z.enum(ids(BOOK_PAPERS)),
});
export type BookOptions = z.infer<typeof bookOptionsSchema>;

/** Countries the printer ships to (ISO 3166-1 alpha-2), with how their postcodes look. */
export const SHIP_COUNTRIES = [
  { code: "US", name: "United States", postcode: /^\d{5}(-\d{4})?$/, needsState: true },
  { code: "CA", name: "Canada", postcode: /^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$/, needsState: true },
  { code: "GB", name: "United Kingdom", postcode: /^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$/, needsState: false },
  { code: "IE", name: "Ireland", postcode: /^[A-Za-z\d]{3} ?[A-Za-z\d]{4}$/, needsState: false },
  { code: "AU", name: "Australia", postcode: /^\d{4}$/, needsState: true },
  { code: "NZ", name: "New Zealand", postcode: /^\d{4}$/, needsState: false },
  { code: "DE", name: "Germany", postcode: /^\d{5}$/, needsState: false },
  { code: "FR", name: "France", postcode: /^\d{5}$/, needsState: false },
  { code: "NL", name: "Netherlands", postcode: /^\d{4} ?[A-Za-z]{2}$/, needsState: false },
  { code: "ES", name: "Spain", postcode: /^\d{5}$/, needsState: false },
  { code: "IT", name: "Italy", postcode: /^\d{5}$/, needsState: false },
] as const;
export type ShipCountry = (typeof SHIP_COUNTRIES)[number]["code"];

/** Control characters (a line break, a NUL) and bidi overrides would garble the printer's shipping label. */
const PRINTABLE = /^[^\p{Cc}\u202A-\u202E\u2066-\u2069]*$/u;
const printable = "Use letters, digits and punctuation only";
const line = (max: number) => z.string().trim().min(1).max(max).regex(PRINTABLE, printable);
const optionalLine = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .regex(PRINTABLE, printable)
    .optional()
    .transform((v) => (v ? v : undefined));

/** A shipping address the printer accepts: the fields Lulu's `shipping_address` takes, checked per country. */
export const shippingAddressSchema = z
  .object({
    name: line(100),
    street1: line(100),
    street2: optionalLine(100),
    city: line(60),
    stateCode: optionalLine(3).transform((v) => v?.toUpperCase()),
    postcode: line(12),
    countryCode: z.enum(SHIP_COUNTRIES.map((c) => c.code) as [ShipCountry, ...ShipCountry[]]),
    // The carrier calls when a delivery needs it; printers require one.
    phone: z
      .string()
      .trim()
      .regex(/^\+?[\d\s().-]{7,20}$/, "Enter a phone number (digits, spaces, + - ( ) allowed)"),
    email: z
      .email()
      .max(200)
      .optional()
      .or(z.literal("").transform(() => undefined)),
  })
  .superRefine((address, ctx) => {
    const country = SHIP_COUNTRIES.find((c) => c.code === address.countryCode);
    if (country && !country.postcode.test(address.postcode))
      ctx.addIssue({ code: "custom", path: ["postcode"], message: `Not a postcode of ${country.name}` });
    if (country?.needsState && !address.stateCode)
      ctx.addIssue({ code: "custom", path: ["stateCode"], message: `A state or province is needed for ${country.name}` });
    if (address.stateCode && !/^[A-Z]{2,3}$/.test(address.stateCode))
      ctx.addIssue({ code: "custom", path: ["stateCode"], message: "Use the 2- or 3-letter code (e.g. CA, NSW)" });
  });
export type ShippingAddress = z.infer<typeof shippingAddressSchema>;

export const quoteOrderInput = z.object({
  bookId: z.uuid(),
  options: bookOptionsSchema,
  quantity: z.number().int().min(1).max(MAX_ORDER_QUANTITY),
  shippingLevel: z.enum(ids(SHIPPING_LEVELS)),
});
export const createOrderInput = quoteOrderInput.extend({ shippingAddress: shippingAddressSchema });
export const orderIdInput = z.object({ orderId: z.uuid() });
export const listOrdersInput = z
  .object({ bookId: z.uuid().optional(), limit: z.number().int().min(1).max(100).default(50) })
  .default({ limit: 50 });

export type QuoteOrderInput = z.infer<typeof quoteOrderInput>;
export type CreateOrderInput = z.infer<typeof createOrderInput>;

export interface OrderQuote {
  /** Pages printed (the book's, raised to the binding's minimum: the printer pads with blank pages). */
  printedPages: number;
  unitCents: number;
  shippingCents: number;
  totalCents: number;
  currency: string;
}

/**
 * The price of an order: per copy, a base by binding scaled by the trim size plus the paper's price per
 * page; shipping by level plus a little per extra copy. Pure, so the web can show how prices are made
 * up, but the amount charged is always the server's answer from the book's real page count.
 */
export function quoteOrder(
  pageCount: number,
  input: Pick<QuoteOrderInput, "options" | "quantity" | "shippingLevel">,
): OrderQuote {
  const size = BOOK_SIZES.find((s) => s.id === input.options.size);
  const binding = BOOK_BINDINGS.find((b) => b.id === input.options.binding);
  const paper = BOOK_PAPERS.find((p) => p.id === input.options.paper);
  const shipping = SHIPPING_LEVELS.find((s) => s.id === input.shippingLevel);
  if (!size || !binding || !paper || !shipping) throw new Error("unknown book option");
  const printedPages = Math.max(pageCount, binding.minPages);
  const unitCents = Math.round((binding.baseCents + paper.perPageCents * printedPages) * size.factor);
  const shippingCents = shipping.baseCents + shipping.extraCopyCents * (input.quantity - 1);
  return {
    printedPages,
    unitCents,
    shippingCents,
    totalCents: unitCents * input.quantity + shippingCents,
    currency: ORDER_CURRENCY,
  };
}

/**
 * The printer's product code for the options (Lulu's `pod_package_id`: trim size, full colour, quality,
 * binding, paper, finish), e.g. `0600X0900FCSTDPB060UW444GXX`.
 */
export function podPackageId(options: BookOptions): string {
  const size = BOOK_SIZES.find((s) => s.id === options.size);
  const binding = BOOK_BINDINGS.find((b) => b.id === options.binding);
  const paper = BOOK_PAPERS.find((p) => p.id === options.paper);
  if (!size || !binding || !paper) throw new Error("unknown book option");
  return `${size.trim}FC${paper.code.slice(0, 3)}${binding.code}${paper.code.slice(3)}GXX`;
}

export const ORDER_STATUSES = ["pending", "processing", "printed", "shipped", "delivered", "cancelled"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * The legal moves. The database holds the same list (migration 0047's trigger); this copy lets the
 * service refuse early with a readable message and the web draw the timeline.
 */
export const ORDER_TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ["processing", "cancelled"],
  processing: ["printed", "cancelled"],
  printed: ["shipped"],
  shipped: ["delivered"],
  delivered: [],
  cancelled: [],
};
export const canMove = (from: OrderStatus, to: OrderStatus) => ORDER_TRANSITIONS[from].includes(to);

/** An order as its buyer sees it. */
export interface OrderView {
  id: string;
  orderNumber: string;
  bookId: string;
  bookTitle: string | null;
  quantity: number;
  options: BookOptions;
  shippingLevel: ShippingLevel;
  shippingAddress: ShippingAddress;
  unitCents: number;
  shippingCents: number;
  totalCents: number;
  currency: string;
  status: OrderStatus;
  /** Why an order was cancelled, or the printer's word on a delay. */
  statusNote: string | null;
  paymentId: string | null;
  /** The printer's print job, once submitted. */
  printJobId: string | null;
  /** True when printing goes to the local sandbox printer (nothing is printed or shipped). */
  sandboxPrinter: boolean | null;
  carrier: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  estimatedDelivery: string | null;
  orderedAt: Date;
  paidAt: Date | null;
  printedAt: Date | null;
  shippedAt: Date | null;
  deliveredAt: Date | null;
  cancelledAt: Date | null;
}
