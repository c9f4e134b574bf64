import { type Kysely, sql } from "kysely";

/**
 * The order state machine, held by the database: pending → processing → printed → shipped → delivered,
 * and cancelled from pending or processing (a payment that expired or was refunded, a job the printer
 * rejected). Any other status change is refused whatever the code says, each step's time is set when it
 * is reached (and never moved after), and what was sold (book, copies, options, address, prices, order
 * number, buyer) never changes after the order is placed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION app.book_orders_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
      IF NEW.order_number <> OLD.order_number OR NEW.book_id <> OLD.book_id OR NEW.user_id <> OLD.user_id
         OR NEW.quantity <> OLD.quantity OR NEW.book_options <> OLD.book_options
         OR NEW.shipping_level <> OLD.shipping_level OR NEW.shipping_address <> OLD.shipping_address
         OR NEW.page_count <> OLD.page_count OR NEW.unit_price <> OLD.unit_price
         OR NEW.shipping_price <> OLD.shipping_price OR NEW.total_price <> OLD.total_price
         OR NEW.currency <> OLD.currency OR NEW.ordered_at <> OLD.ordered_at THEN
        RAISE EXCEPTION 'an order''s contents cannot change after it is placed' USING ERRCODE = 'check_violation';
      END IF;
      IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF NOT ((OLD.status = 'pending' AND NEW.status IN ('processing', 'cancelled'))
             OR (OLD.status = 'processing' AND NEW.status IN ('printed', 'cancelled'))
             OR (OLD.status = 'printed' AND NEW.status = 'shipped')
             OR (OLD.status = 'shipped' AND NEW.status = 'delivered')) THEN
          RAISE EXCEPTION 'illegal order status change: % to %', OLD.status, NEW.status USING ERRCODE = 'check_violation';
        END IF;
        CASE NEW.status
          WHEN 'processing' THEN NEW.paid_at := coalesce(NEW.paid_at, now());
          WHEN 'printed' THEN NEW.printed_at := coalesce(NEW.printed_at, now());
          WHEN 'shipped' THEN NEW.shipped_at := coalesce(NEW.shipped_at, now());
          WHEN 'delivered' THEN NEW.delivered_at := coalesce(NEW.delivered_at, now());
          WHEN 'cancelled' THEN NEW.cancelled_at := coalesce(NEW.cancelled_at, now());
          ELSE NULL;
        END CASE;
      END IF;
      -- A step's time, once set, stays.
      IF (OLD.paid_at IS NOT NULL AND NEW.paid_at IS DISTINCT FROM OLD.paid_at)
         OR (OLD.printed_at IS NOT NULL AND NEW.printed_at IS DISTINCT FROM OLD.printed_at)
         OR (OLD.shipped_at IS NOT NULL AND NEW.shipped_at IS DISTINCT FROM OLD.shipped_at)
         OR (OLD.delivered_at IS NOT NULL AND NEW.delivered_at IS DISTINCT FROM OLD.delivered_at)
         OR (OLD.cancelled_at IS NOT NULL AND NEW.cancelled_at IS DISTINCT FROM OLD.cancelled_at) THEN
        RAISE EXCEPTION 'an order''s step times cannot change' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.book_orders_guard() FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.book_orders_guard() TO inkwell_user, inkwell_system`.execute(db);
  await sql`CREATE TRIGGER book_orders_guard BEFORE UPDATE ON book_orders FOR EACH ROW EXECUTE FUNCTION app.book_orders_guard()`.execute(
    db,
  );
}
