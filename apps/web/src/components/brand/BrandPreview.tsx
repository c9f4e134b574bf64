import { colorName, HEX_COLOR } from "@inkwell/domain/brand/schemas";
import styles from "./brand.module.css";

/** How the kit reads at a glance, updating as the form is edited (before it is saved). */
export function BrandPreview({
  brandName,
  tagline,
  logoUrl,
  colors,
}: {
  brandName: string;
  tagline: string;
  logoUrl: string | null;
  colors: { label: string; hex: string }[];
}) {
  const set = colors.filter((c) => HEX_COLOR.test(c.hex.trim()));
  const primary = set[0]?.hex.trim();
  return (
    <aside className={`card ${styles.preview}`} aria-label="Preview">
      <div className={styles.previewBanner} style={primary ? { borderColor: primary } : undefined}>
        {logoUrl && <img src={logoUrl} alt="" className={styles.previewLogo} />}
        <div>
          <p className={styles.previewName}>{brandName.trim() || "Your brand"}</p>
          {tagline.trim() && <p className={`muted ${styles.previewTagline}`}>{tagline.trim()}</p>}
        </div>
      </div>
      {set.length > 0 ? (
        <ul className={styles.palette}>
          {set.map((c) => (
            <li key={c.label}>
              <span className={styles.swatch} style={{ backgroundColor: c.hex.trim() }} aria-hidden="true" />
              <span>
                <strong>{c.label}</strong> {c.hex.trim().toLowerCase()}
                <span className="muted small"> · {colorName(c.hex.trim())}</span>
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">Add colours to see your palette.</p>
      )}
    </aside>
  );
}
