/**
 * Five image-prompt variations without a model (the studio's "prompts from a photo" on the offline
 * provider). Nothing here looks at the picture's content: the variations are built from what the offline
 * vision description states about the file — its pixel size, hence orientation and aspect ratio, and its
 * format — plus the persona, so they are deterministic, differ per image size, and are plainly generic.
 * The page labels them as placeholders.
 */
import { fnv1a } from "./fnv1a.ts";

export interface OfflinePromptInput {
  /** The offline describeImage text ("… a 1200×800 PNG image, 35.2 KB …"). */
  description: string;
  persona?: { name: string; description: string } | null;
}

export interface OfflinePromptVariation {
  label: string;
  prompt: string;
}

const STYLES: { label: string; scene: string; light: string; finish: string }[] = [
  {
    label: "Faithful recreation",
    scene: "in the same pose and framing as the reference photo",
    light: "natural, even light matching the original",
    finish: "true-to-life colours, sharp focus, photorealistic",
  },
  {
    label: "Golden hour",
    scene: "outdoors at the end of the day",
    light: "warm low sunlight from the side with a soft rim light",
    finish: "gentle lens flare, shallow depth of field, 85mm look",
  },
  {
    label: "Studio portrait",
    scene: "against a seamless neutral backdrop",
    light: "large softbox key light with a subtle fill",
    finish: "clean skin tones, crisp detail, magazine quality",
  },
  {
    label: "Cinematic night",
    scene: "in a city street after rain",
    light: "neon reflections and a cool blue-teal grade",
    finish: "anamorphic feel, film grain, moody contrast",
  },
  {
    label: "Candid lifestyle",
    scene: "in a relaxed everyday moment, mid-gesture",
    light: "soft window light indoors",
    finish: "documentary style, slight motion, warm natural palette",
  },
];

function aspect(width: number, height: number): string {
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  const d = gcd(width, height) || 1;
  const [w, h] = [width / d, height / d];
  // Odd sizes give unreadable ratios (1199:800): say it as a decimal instead.
  return w <= 32 && h <= 32 ? `${w}:${h}` : `${(width / height).toFixed(2)}:1`;
}

/** What the description says about the file: "a W×H FORMAT image", when the size could be read. */
export function readImageFacts(description: string): { width?: number; height?: number; format?: string } {
  const m = /(\d{1,6})\s*[×x]\s*(\d{1,6})\s+([A-Za-z]+)/.exec(description);
  if (!m) return {};
  return { width: Number(m[1]), height: Number(m[2]), format: m[3] };
}

export function offlinePromptVariations(input: OfflinePromptInput): OfflinePromptVariation[] {
  const facts = readImageFacts(input.description);
  const sized = facts.width && facts.height ? { width: facts.width, height: facts.height } : null;
  const orientation = !sized
    ? "an unknown orientation"
    : sized.width === sized.height
      ? "a square frame"
      : sized.width > sized.height
        ? "a landscape frame"
        : "a portrait frame";
  const frame = sized ? `${orientation} (${aspect(sized.width, sized.height)}, ${sized.width}×${sized.height} px)` : orientation;
  const who = input.persona
    ? `${input.persona.name}${input.persona.description ? `, ${input.persona.description.replace(/\s+/g, " ").trim().slice(0, 200)}` : ""}`
    : "The main subject of the reference photo";
  // The same image starts the list at the same style; another size shifts it, so runs on different photos differ.
  const start = fnv1a(`${sized?.width ?? 0}x${sized?.height ?? 0}:${facts.format ?? ""}`) % STYLES.length;
  return STYLES.map((_, i) => {
    const style = STYLES[(start + i) % STYLES.length] as (typeof STYLES)[number];
    return {
      label: style.label,
      prompt: `${who}, ${style.scene}, composed in ${frame} like the reference ${facts.format ?? "image"}; ${style.light}; ${style.finish}.`,
    };
  });
}
