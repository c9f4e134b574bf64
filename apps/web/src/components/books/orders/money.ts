/** An amount in cents as the buyer's locale writes it (e.g. $23.69). */
export const money = (cents: number, currency: string) =>
  new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() }).format(cents / 100);
