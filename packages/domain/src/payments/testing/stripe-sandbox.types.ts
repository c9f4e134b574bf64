/** A Checkout Session as the Stripe sandbox keeps it (shared by the server and its pay page). */
export interface SandboxSession {
  id: string;
  object: "checkout.session";
  mode: string;
  status: "open" | "complete" | "expired";
  payment_status: "unpaid" | "paid";
  amount_total: number;
  amount_subtotal: number;
  currency: string;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  payment_intent: string | null;
  success_url: string;
  cancel_url: string;
  url: string | null;
  created: number;
  expires_at: number;
  livemode: false;
  line_items: { quantity: number; price_data: { currency: string; unit_amount: number; product_data: { name: string } } }[];
  /** Copied onto the payment's charge (Stripe's payment_intent_data.metadata). */
  intent_metadata: Record<string, string>;
  refunded: boolean;
  /** mode=subscription: the recurring price bought, the metadata the subscription gets, and once paid the subscription. */
  subscription: string | null;
  customer: string | null;
  price_id: string | null;
  subscription_metadata: Record<string, string>;
}
