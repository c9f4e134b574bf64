/**
 * The print vendor client against the local sandbox printer over real HTTP: OAuth client credentials
 * (one token, reused; a refused key says so), the cost calculation, a print job created and followed to
 * delivery, and failures typed by whether a retry can help.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { podPackageId, quoteOrder } from "./books-orders.schemas.ts";
import { createPrintVendorClient, PrintVendorError } from "./print-vendor.ts";
import { type PrintSandbox, startPrintSandbox } from "./testing/print-sandbox.ts";

let printer: PrintSandbox;
beforeAll(async () => {
  printer = await startPrintSandbox({ stepMs: 0 });
});
afterAll(() => printer?.stop());

const client = () =>
  createPrintVendorClient({ baseUrl: printer.url, clientKey: printer.clientKey, clientSecret: printer.clientSecret });
const address = {
  name: "Ada Lovelace",
  street1: "12 Elm Street",
  city: "Springfield",
  state_code: "IL",
  postcode: "62701",
  country_code: "US",
  phone_number: "+1 555 010 0199",
};
const job = (overrides: Record<string, unknown> = {}) => ({
  external_id: "INK-TEST-0001",
  contact_email: "orders@inkwell.test",
  shipping_level: "MAIL",
  shipping_address: address,
  line_items: [
    {
      external_id: "line-1",
      title: "Gran's life",
      quantity: 2,
      page_count: 64,
      pod_package_id: podPackageId({ size: "6x9", binding: "paperback", paper: "standard" }),
      interior_url: "https://app.test/files/a?exp=1&sig=x",
      cover_url: "https://app.test/files/b?exp=1&sig=x",
    },
  ],
  ...overrides,
});
const tokenRequests = () => printer.requests.filter((r) => r.path.endsWith("/openid-connect/token")).length;

describe("the print vendor client", () => {
  it("signs in once, prices, creates a job and follows it to delivery", async () => {
    const c = client();
    const before = tokenRequests();
    const cost = await c.costCalculation({
      line_items: [{ page_count: 64, pod_package_id: "0600X0900FCSTDPB060UW444GXX", quantity: 2 }],
      shipping_address: address,
      shipping_option: "MAIL",
    });
    expect(Number(cost.totalInclTax)).toBeGreaterThan(Number(cost.totalExclTax));
    const created = await c.createPrintJob(job());
    expect(created).toMatchObject({ status: "CREATED", trackingNumber: null });
    expect(printer.jobs.get(Number(created.id))?.lineItems[0]?.interiorUrl).toBe("https://app.test/files/a?exp=1&sig=x");
    printer.advance(Number(created.id), 3);
    const shipped = await c.getPrintJob(created.id);
    expect(shipped).toMatchObject({ status: "SHIPPED", carrier: "Sandbox Post" });
    expect(shipped.trackingUrl).toBe(`${printer.url}/sandbox/track/${shipped.trackingNumber}`);
    printer.advance(Number(created.id));
    expect((await c.getStatus(created.id)).status).toBe("DELIVERED");
    expect(tokenRequests() - before).toBe(1);
  });

  it("types failures: a refused key, a refused job, an unknown job, a printer that is down", async () => {
    const wrong = createPrintVendorClient({ baseUrl: printer.url, clientKey: "nope", clientSecret: "nope" });
    const refusedKey = await wrong.getStatus("1").catch((e: unknown) => e);
    expect(refusedKey).toBeInstanceOf(PrintVendorError);
    expect((refusedKey as PrintVendorError).kind).toBe("unauthorized");

    const c = client();
    const bad = await c.createPrintJob(job({ shipping_address: { ...address, postcode: "" } })).catch((e: unknown) => e);
    expect((bad as PrintVendorError).kind).toBe("rejected");
    expect((bad as PrintVendorError).retryable).toBe(false);
    expect(((await c.getPrintJob("999999").catch((e: unknown) => e)) as PrintVendorError).kind).toBe("not_found");

    printer.failNext(1, 503);
    const down = (await c.getStatus("1").catch((e: unknown) => e)) as PrintVendorError;
    expect(down.kind).toBe("unavailable");
    expect(down.retryable).toBe(true);
    const closed = createPrintVendorClient({
      baseUrl: "http://127.0.0.1:1",
      clientKey: "k",
      clientSecret: "s",
      timeoutMs: 2_000,
    });
    const refusedConnection = (await closed.getStatus("1").catch((e: unknown) => e)) as PrintVendorError;
    expect(refusedConnection.retryable).toBe(true);
    // Whether the printer may have acted: a 503 turned us away and a refused connection never reached it,
    // but a job answered with a gateway's 502 may exist (asking again could print twice).
    expect(down.mayHaveActed).toBe(false);
    // A port nothing listens on (port 1 above is one fetch will not even try).
    const spare = createServer();
    await new Promise<void>((r) => spare.listen(0, "127.0.0.1", r));
    const port = (spare.address() as AddressInfo).port;
    await new Promise((r) => spare.close(r));
    const nobody = createPrintVendorClient({ baseUrl: `http://127.0.0.1:${port}`, clientKey: "k", clientSecret: "s" });
    const neverSent = (await nobody.getStatus("1").catch((e: unknown) => e)) as PrintVendorError;
    expect(neverSent).toMatchObject({ kind: "unavailable", retryable: true, mayHaveActed: false });
    const before = printer.jobs.size;
    printer.failAfterCreate(1, 502);
    const lost = (await c.createPrintJob(job()).catch((e: unknown) => e)) as PrintVendorError;
    expect(lost).toMatchObject({ kind: "unavailable", retryable: true, mayHaveActed: true });
    expect(printer.jobs.size).toBe(before + 1);
  });
});

describe("prices", () => {
  it("raise short books to the binding's minimum and charge shipping per extra copy", () => {
    const opts = { options: { size: "6x9", binding: "paperback", paper: "standard" }, shippingLevel: "MAIL" } as const;
    expect(quoteOrder(10, { ...opts, quantity: 1 })).toMatchObject({
      printedPages: 32,
      unitCents: 450 + 3 * 32,
      shippingCents: 599,
    });
    const three = quoteOrder(100, { ...opts, quantity: 3 });
    expect(three.shippingCents).toBe(599 + 2 * 150);
    expect(three.totalCents).toBe(3 * three.unitCents + three.shippingCents);
    expect(podPackageId({ size: "8.5x11", binding: "hardcover", paper: "premium" })).toBe("0850X1100FCPRECW080CW444GXX");
  });
});
