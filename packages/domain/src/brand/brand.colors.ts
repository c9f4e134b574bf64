/**
 * Colours in words, for prompts: a model writes "warm amber accents" far more reliably from "amber"
 * than from "#f59e0b". HSL buckets, tuned by eye; deterministic, so tests can pin them.
 */
export function hexToHsl(hex: string): { h: number; s: number; l: number } {
  const n = Number.parseInt(hex.slice(1), 16);
  const r = ((n >> 16) & 255) / 255;
  const g = ((n >> 8) & 255) / 255;
  const b = (n & 255) / 255;
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const l = (max + min) / 2;
  const d = max - min;
  if (d === 0) return { h: 0, s: 0, l };
  const s = d / (1 - Math.abs(2 * l - 1));
  let h: number;
  if (max === r) h = ((g - b) / d) % 6;
  else if (max === g) h = (b - r) / d + 2;
  else h = (r - g) / d + 4;
  h *= 60;
  if (h < 0) h += 360;
  return { h, s, l };
}

const HUES: [number, string][] = [
  [12, "red"],
  [40, "orange"],
  [65, "yellow"],
  [90, "lime green"],
  [150, "green"],
  [185, "teal"],
  [200, "cyan"],
  [245, "blue"],
  [275, "violet"],
  [315, "purple"],
  [345, "pink"],
  [360, "red"],
];

export function colorName(hex: string): string {
  const { h, s, l } = hexToHsl(hex.toLowerCase());
  if (l <= 0.08) return "black";
  if (l >= 0.96) return "white";
  if (s < 0.12) return l < 0.3 ? "charcoal grey" : l < 0.6 ? "grey" : "light grey";
  let hue = HUES.find(([limit]) => h < limit)?.[1] ?? "red";
  // Names people use for dark or light versions of some hues.
  if ((hue === "orange" || hue === "yellow") && l < 0.35) hue = "brown";
  else if (hue === "blue" && l <= 0.3) hue = "navy blue";
  else if (hue === "red" && l >= 0.75) hue = "pink";
  const tone = l < 0.35 ? "dark " : l >= 0.8 ? "pale " : l >= 0.65 ? "light " : "";
  const chroma = s < 0.3 ? "muted " : s > 0.8 && l >= 0.4 && l <= 0.6 ? "bright " : "";
  if (hue === "navy blue" || hue === "brown") return `${chroma}${hue}`;
  return `${chroma}${tone}${hue}`.trim();
}
