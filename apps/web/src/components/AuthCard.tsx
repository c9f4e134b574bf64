import type { ReactNode } from "react";

/** The centered card the signed-out pages use. */
export function AuthCard({
  title,
  intro,
  children,
  footer,
}: {
  title: string;
  intro?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <div className="auth-page">
      <section className="card auth-card">
        <h1 tabIndex={-1}>{title}</h1>
        {intro && <div className="intro">{intro}</div>}
        {children}
      </section>
      {footer && <div className="auth-footer">{footer}</div>}
    </div>
  );
}
