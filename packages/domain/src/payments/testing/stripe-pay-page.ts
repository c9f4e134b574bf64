/** The sandbox's hosted payment page: Stripe Checkout's shape (amount, a card form, a way back), not its looks. */
import type { SandboxSession } from "./stripe-sandbox.types.ts";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function payPage(session: SandboxSession, options: { error?: string; card?: string } = {}): string {
  const line = session.line_items[0];
  const amount = `${(session.amount_total / 100).toFixed(2)} ${session.currency.toUpperCase()}`;
  const open = session.status === "open";
  const body = open
    ? `<form method="post" action="/checkout/pay/${escapeHtml(session.id)}">
  ${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ""}
  <label>Card number<input name="card_number" inputmode="numeric" autocomplete="cc-number" required value="${escapeHtml(options.card ?? "")}"></label>
  <div class="row"><label>Expiry (MM / YY)<input name="card_expiry" autocomplete="cc-exp" required placeholder="12 / 34"></label>
  <label>CVC<input name="card_cvc" inputmode="numeric" autocomplete="cc-csc" required placeholder="123"></label></div>
  <button type="submit">Pay ${escapeHtml(amount)}</button>
</form>
<p class="hint">Test cards: 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is declined. Any future expiry and any CVC.</p>
<p><a href="${escapeHtml(session.cancel_url)}">← Back without paying</a></p>`
    : `<p role="status">This checkout is ${session.status === "complete" ? "already paid" : "no longer available"}.</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pay · Stripe sandbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
.badge{display:inline-block;background:#fff3bf;border-radius:4px;padding:0 .4rem;font-size:.8rem}
label{display:block;margin:.75rem 0}input{display:block;width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #8c959f;border-radius:6px}
.row{display:flex;gap:1rem}.row label{flex:1}button{width:100%;padding:.75rem;font:inherit;font-weight:600;background:#0a66c2;color:#fff;border:0;border-radius:6px;cursor:pointer}
.error{color:#b42318;font-weight:600}.hint{color:#59636e;font-size:.9rem}</style></head>
<body><p class="badge">Stripe sandbox · test mode</p><h1>${escapeHtml(line?.price_data.product_data.name ?? "Payment")}</h1>
<p><strong>${escapeHtml(amount)}</strong></p>${body}</body></html>`;
}
