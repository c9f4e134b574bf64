/** One persona in the list: its name (a link to edit it), active or not, its voice and a strip of its reference images. */
import { Link } from "react-router";
import type { Outputs } from "../../../lib/api.ts";
import s from "./personas.module.css";

export type Persona = Outputs["studio"]["personas"]["list"][number];

export function PersonaCard({ persona }: { persona: Persona }) {
  return (
    <li className={s.card} data-role="persona-card">
      <h3 className={s.cardTitle}>
        <Link to={`/studio/personas/${persona.id}`}>{persona.name}</Link>
        <span className={s.badge}>{persona.isActive ? "Active" : "Inactive"}</span>
      </h3>
      {persona.description && <p className={s.description}>{persona.description}</p>}
      <p className="small muted">{persona.voiceId ? `Voice: ${persona.voiceId}` : "No voice chosen yet"}</p>
      {persona.referenceImages.length > 0 && (
        <ul className={s.strip} aria-label={`${persona.referenceImages.length} reference images`}>
          {persona.referenceImages.slice(0, 6).map((image) => (
            <li key={image.id}>
              <img src={image.thumbnailUrl ?? image.url} alt="" loading="lazy" />
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
