import { colorName, HEX_COLOR } from "@inkwell/domain/brand/schemas";

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
    <aside className="card bk-preview" aria-label="Preview">
      <div className="bk-preview-banner" style={primary ? { borderColor: primary } : undefined}>
        {logoUrl && <img src={logoUrl} alt="" className="bk-preview-logo" />}
        <div>
          <p className="bk-preview-name">{brandName.trim() || "Your brand"}</p>
          {tagline.trim() && <p className="muted bk-preview-tagline">{tagline.trim()}</p>}
        </div>
      </div>
      {set.length > 0 ? (
        <ul className="bk-palette">
          {set.map((c) => (
            <li key={c.label}>
              <span className="bk-swatch" style={{ backgroundColor: c.hex.trim() }} aria-hidden="true" />
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
