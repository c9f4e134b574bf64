import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Book orders (seed 001 `book_orders`): printed copies of an approved book, paid through Stripe Checkout
 * and printed by the print vendor. Prices are the server's (fixed at the order, never changed after);
 * the shipping address and the options (size, binding, paper) as ordered; the printer's job id, status,
 * carrier and tracking as it reports them; a timestamp per step.
 *
 * Who may do what: an owner of the book's campaign places an order (a fresh pending row of their own,
 * nothing the printer or the payment sets); the buyer reads their own orders; everything after that
 * (payment, printing, shipping) is the system's. The legal status moves are held by migration 0047.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE book_orders (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      -- Human-readable and unguessable (INK-XXXX-XXXX, Crockford base32): what the buyer quotes to support.
      order_number text NOT NULL UNIQUE CHECK (order_number ~ '^INK-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$'),
      -- NO ACTION (not RESTRICT): deleting a user removes their books and orders in one statement.
      book_id uuid NOT NULL REFERENCES books(id),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 50),
      book_options jsonb NOT NULL CHECK (jsonb_typeof(book_options) = 'object'),
      shipping_level text NOT NULL CHECK (shipping_level IN ('MAIL', 'EXPEDITED', 'EXPRESS')),
      shipping_address jsonb NOT NULL CHECK (jsonb_typeof(shipping_address) = 'object' AND length(shipping_address::text) <= 2000),
      -- The pages printed (the book's, raised to the binding's minimum), for the price and the printer.
      page_count integer NOT NULL CHECK (page_count BETWEEN 1 AND 800),
      unit_price numeric(10, 2) NOT NULL CHECK (unit_price > 0),
      shipping_price numeric(10, 2) NOT NULL CHECK (shipping_price >= 0),
      total_price numeric(10, 2) NOT NULL CHECK (total_price = unit_price * quantity + shipping_price),
      currency text NOT NULL DEFAULT 'usd' CHECK (currency ~ '^[a-z]{3}$'),
      status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'processing', 'printed', 'shipped', 'delivered', 'cancelled')),
      status_note text CHECK (length(status_note) <= 300),
      payment_id uuid REFERENCES payments(id) ON DELETE SET NULL,
      -- The print vendor's side: its job, its last status word, what the job cost us.
      print_vendor text CHECK (print_vendor IN ('sandbox', 'lulu')),
      print_job_id text CHECK (length(print_job_id) <= 100),
      vendor_status text CHECK (length(vendor_status) <= 40),
      vendor_cost numeric(10, 2),
      -- Set when a submission starts (claimed before the printer is called, with no transaction open).
      submit_started_at timestamptz,
      last_polled_at timestamptz,
      carrier text CHECK (length(carrier) <= 100),
      tracking_number text CHECK (length(tracking_number) <= 100),
      tracking_url text CHECK (length(tracking_url) <= 500 AND tracking_url ~ '^https?://'),
      estimated_delivery date,
      ordered_at timestamptz NOT NULL DEFAULT now(),
      paid_at timestamptz,
      printed_at timestamptz,
      shipped_at timestamptz,
      delivered_at timestamptz,
      cancelled_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      -- Each step has its time; a step reached keeps the times of the ones before it.
      CHECK (status = 'pending' OR status = 'cancelled' OR paid_at IS NOT NULL),
      CHECK (status NOT IN ('printed', 'shipped', 'delivered') OR printed_at IS NOT NULL),
      CHECK (status NOT IN ('shipped', 'delivered') OR shipped_at IS NOT NULL),
      CHECK (status <> 'delivered' OR delivered_at IS NOT NULL),
      CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
      CHECK (print_job_id IS NULL OR print_vendor IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX book_orders_user_idx ON book_orders (user_id, ordered_at DESC)`.execute(db);
  await sql`CREATE INDEX book_orders_book_idx ON book_orders (book_id)`.execute(db);
  await sql`CREATE UNIQUE INDEX book_orders_print_job_idx ON book_orders (print_vendor, print_job_id)`.execute(db);
  // The sweep's work: paid orders still to submit, and submitted ones not finished.
  await sql`CREATE INDEX book_orders_open_idx ON book_orders (status, last_polled_at) WHERE status IN ('processing', 'printed', 'shipped')`.execute(
    db,
  );
  await touchUpdatedAt(db, "book_orders");

  const me = "(SELECT app.current_user_id())";
  const owners = "(SELECT app.campaigns_with_role(ARRAY['owner']))";
  await enableRls(db, "book_orders", {
    userExpr: {
      select: `user_id = ${me}`,
      // A fresh pending order of one's own, for a book of a campaign one owns; nothing the payment or the printer sets.
      insert: `user_id = ${me} AND status = 'pending' AND payment_id IS NULL AND print_job_id IS NULL
        AND print_vendor IS NULL AND vendor_status IS NULL AND vendor_cost IS NULL AND submit_started_at IS NULL
        AND tracking_number IS NULL AND tracking_url IS NULL AND carrier IS NULL AND paid_at IS NULL
        AND printed_at IS NULL AND shipped_at IS NULL AND delivered_at IS NULL AND cancelled_at IS NULL
        AND book_id IN (SELECT id FROM books WHERE campaign_id IN ${owners})`,
    },
    system: ["SELECT", "UPDATE"],
  });
}
