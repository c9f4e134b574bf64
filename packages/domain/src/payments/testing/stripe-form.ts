/**
 * Stripe's request bodies: `application/x-www-form-urlencoded` with bracket keys, as the SDK writes
 * them (`line_items[0][price_data][unit_amount]=500`, `metadata[payment_id]=…`). Parsed into nested
 * objects; objects whose keys are all indexes become arrays.
 */
type Node = { [key: string]: Node | string };

export function parseStripeForm(body: string): Record<string, unknown> {
  const root: Node = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.split(/\[|\]\[|\]/).filter((p) => p !== "");
    let node = root;
    path.forEach((part, i) => {
      if (i === path.length - 1) node[part] = value;
      else {
        let next = node[part];
        if (typeof next !== "object") {
          next = {};
          node[part] = next;
        }
        node = next;
      }
    });
  }
  return arrays(root) as Record<string, unknown>;
}

function arrays(node: Node | string): unknown {
  if (typeof node === "string") return node;
  const keys = Object.keys(node);
  const converted = Object.fromEntries(keys.map((k) => [k, arrays(node[k] as Node | string)]));
  return keys.length > 0 && keys.every((k, i) => k === String(i)) ? keys.map((k) => converted[k]) : converted;
}
