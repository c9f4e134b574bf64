import { oauthErrorText } from "@inkwell/domain/identity/schemas";
import { useSearchParams } from "react-router";
import { Notice } from "../Alert.tsx";

const PROVIDERS = [
  { id: "clever", label: "Continue with Clever" },
  { id: "google", label: "Continue with Google" },
] as const;

/**
 * Sign in (or up) with Clever or Google. Plain links, not buttons that fetch: the sign-in is a series of
 * top-level navigations (our start route → the provider → our callback), and a failure comes back here
 * as `?oauth_error=`.
 */
export function OAuthButtons({ next }: { next?: string | null }) {
  const [params] = useSearchParams();
  const error = oauthErrorText(params.get("oauth_error"));
  const back = next ? `?${new URLSearchParams({ redirect_to: next })}` : "";
  return (
    <div>
      {error && <Notice tone="error">{error}</Notice>}
      <div style={{ display: "grid", gap: "0.5rem", margin: "0 0 1rem" }}>
        {PROVIDERS.map((p) => (
          <a key={p.id} className="btn btn-secondary btn-block" href={`/auth/oauth/${p.id}/start${back}`}>
            {p.label}
          </a>
        ))}
      </div>
      <p className="muted" style={{ textAlign: "center", margin: "0 0 1rem" }}>
        or with your e-mail
      </p>
    </div>
  );
}
