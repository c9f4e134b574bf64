/**
 * Ordering printed copies of a book: options (size, binding, paper), copies and shipping, with the price
 * asked of the server as they change (the amount charged is always the server's), then the shipping
 * address (checked here with the same schema the server uses), then off to the payment page; the buyer
 * comes back to the order's own page.
 */
import {
  BOOK_BINDINGS,
  BOOK_PAPERS,
  BOOK_SIZES,
  type BookOptions,
  MAX_ORDER_QUANTITY,
  SHIP_COUNTRIES,
  SHIPPING_LEVELS,
  type ShippingLevel,
  shippingAddressSchema,
} from "@inkwell/domain/books/orders/schemas";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import { useForm, type Values, zodValidator } from "../../../lib/form.ts";
import { FormError } from "../../Alert.tsx";
import { SubmitButton } from "../../SubmitButton.tsx";
import { TextField } from "../../TextField.tsx";
import { money } from "./money.ts";
import s from "./orders.module.css";

type AddressKey = "name" | "street1" | "street2" | "city" | "stateCode" | "postcode" | "countryCode" | "phone" | "email";

const toAddress = (v: Values<AddressKey>) => ({
  ...v,
  street2: v.street2 || undefined,
  stateCode: v.stateCode || undefined,
  email: v.email || undefined,
});

export function OrderForm({ bookId }: { bookId: string }) {
  const [options, setOptions] = useState<BookOptions>({ size: "6x9", binding: "paperback", paper: "standard" });
  const [quantity, setQuantity] = useState(1);
  const [shippingLevel, setShippingLevel] = useState<ShippingLevel>("MAIL");
  const info = useQuery({ ...trpc.bookOrders.options.queryOptions(), staleTime: 10 * 60_000 });
  const validQuantity = Number.isInteger(quantity) && quantity >= 1 && quantity <= MAX_ORDER_QUANTITY;
  const quote = useQuery({
    ...trpc.bookOrders.quote.queryOptions({ bookId, options, quantity, shippingLevel }),
    enabled: validQuantity,
    placeholderData: keepPreviousData,
  });
  const form = useForm<AddressKey>({
    initial: {
      name: "",
      street1: "",
      street2: "",
      city: "",
      stateCode: "",
      postcode: "",
      countryCode: "US",
      phone: "",
      email: "",
    },
    validate: zodValidator(shippingAddressSchema, toAddress),
  });
  const create = useMutation(
    trpc.bookOrders.create.mutationOptions({
      onSuccess: ({ url }) => window.location.assign(url),
      onError: (error) => form.fail(error),
    }),
  );
  const country = SHIP_COUNTRIES.find((c) => c.code === form.values.countryCode);

  if (quote.isError && !quote.data) {
    return (
      <p className="alert alert-error" role="alert">
        {describeError(quote.error).message}
      </p>
    );
  }

  return (
    <form
      className="stack"
      aria-label="Order printed copies"
      noValidate
      onSubmit={form.submit((values) => {
        if (!validQuantity || create.isPending) return;
        create.mutate({ bookId, options, quantity, shippingLevel, shippingAddress: toAddress(values) as never });
      })}
    >
      {info.data?.sandboxPrinter && (
        <p className="alert alert-warning small" data-role="sandbox-printer">
          <strong>Sandbox printer.</strong> This installation sends orders to a local stand-in printer (PRINT_API_URL is not set):
          nothing is printed or shipped, and the tracking is made up.
        </p>
      )}
      <section className="card stack" aria-labelledby="options-heading">
        <h2 id="options-heading">Your book</h2>
        <div className={s.grid}>
          <Choice
            label="Size"
            value={options.size}
            items={BOOK_SIZES}
            onChange={(size) => setOptions({ ...options, size: size as BookOptions["size"] })}
          />
          <Choice
            label="Binding"
            value={options.binding}
            items={BOOK_BINDINGS}
            onChange={(binding) => setOptions({ ...options, binding: binding as BookOptions["binding"] })}
          />
          <Choice
            label="Paper"
            value={options.paper}
            items={BOOK_PAPERS}
            onChange={(paper) => setOptions({ ...options, paper: paper as BookOptions["paper"] })}
          />
          <div className="field" data-invalid={validQuantity ? undefined : ""}>
            <label htmlFor="order-quantity">Copies</label>
            <input
              id="order-quantity"
              name="quantity"
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_ORDER_QUANTITY}
              value={Number.isNaN(quantity) ? "" : quantity}
              aria-invalid={validQuantity ? undefined : true}
              aria-describedby={validQuantity ? undefined : "order-quantity-error"}
              onChange={(e) => setQuantity(e.target.valueAsNumber)}
            />
            {!validQuantity && (
              <p className="field-error" id="order-quantity-error">
                From 1 to {MAX_ORDER_QUANTITY} copies
              </p>
            )}
          </div>
          <Choice
            label="Shipping"
            value={shippingLevel}
            items={SHIPPING_LEVELS}
            onChange={(level) => setShippingLevel(level as ShippingLevel)}
          />
        </div>
        <div aria-live="polite" data-role="order-price">
          {quote.data ? (
            <dl className={s.price}>
              <dt>
                {quantity} × {quote.data.printedPages} pages
              </dt>
              <dd>{money(quote.data.unitCents * (validQuantity ? quantity : 1), quote.data.currency)}</dd>
              <dt>Shipping</dt>
              <dd>{money(quote.data.shippingCents, quote.data.currency)}</dd>
              <dt className={s.total}>Total</dt>
              <dd className={s.total} data-role="order-total">
                {money(quote.data.totalCents, quote.data.currency)}
              </dd>
            </dl>
          ) : (
            <p className="loading" role="status">
              <span className="spinner" aria-hidden="true" /> Working out the price…
            </p>
          )}
        </div>
      </section>

      <section className="card stack" aria-labelledby="address-heading">
        <h2 id="address-heading">Shipping address</h2>
        <FormError problem={form.formError} />
        <div className={s.grid}>
          <TextField label="Full name" autoComplete="name" maxLength={100} {...form.field("name")} />
          <TextField label="Phone" type="tel" autoComplete="tel" hint="For the carrier, if needed" {...form.field("phone")} />
          <TextField label="Street address" autoComplete="address-line1" maxLength={100} {...form.field("street1")} />
          <TextField label="Apartment, suite" optional autoComplete="address-line2" maxLength={100} {...form.field("street2")} />
          <TextField label="City" autoComplete="address-level2" maxLength={60} {...form.field("city")} />
          <TextField
            label="State or province"
            optional={!country?.needsState}
            autoComplete="address-level1"
            hint="Its 2- or 3-letter code, e.g. CA"
            maxLength={3}
            {...form.field("stateCode")}
          />
          <TextField label="Postcode" autoComplete="postal-code" maxLength={12} {...form.field("postcode")} />
          <div className="field">
            <label htmlFor="order-country">Country</label>
            <select
              id="order-country"
              name="countryCode"
              autoComplete="country"
              value={form.values.countryCode}
              onChange={(e) => form.setValue("countryCode", e.target.value)}
            >
              {SHIP_COUNTRIES.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          <TextField label="E-mail for delivery updates" optional type="email" autoComplete="email" {...form.field("email")} />
        </div>
      </section>

      <div className="form-actions">
        <SubmitButton pending={create.isPending} pendingLabel="Opening checkout…">
          {quote.data ? `Pay ${money(quote.data.totalCents, quote.data.currency)}` : "Pay"}
        </SubmitButton>
      </div>
      {info.data && !info.data.paymentsAvailable && <p className="muted">Payments are not set up on this server.</p>}
    </form>
  );
}

function Choice({
  label,
  value,
  items,
  onChange,
}: {
  label: string;
  value: string;
  items: readonly { id: string; label: string }[];
  onChange: (value: string) => void;
}) {
  const id = `order-${label.toLowerCase()}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={label.toLowerCase()} value={value} onChange={(e) => onChange(e.target.value)}>
        {items.map((item) => (
          <option key={item.id} value={item.id}>
            {item.label}
          </option>
        ))}
      </select>
    </div>
  );
}
