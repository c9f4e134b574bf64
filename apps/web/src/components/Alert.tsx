import type { ReactNode } from "react";
import type { ApiProblem } from "../lib/errors.ts";

/** A form-level error, announced when it appears. */
export function FormError({ problem }: { problem: ApiProblem | null }) {
  return (
    <div role="alert" className={problem ? "alert alert-error" : "visually-hidden"}>
      {problem?.message}
    </div>
  );
}

/** A polite status line (saved, sent…); rendered empty so that changes are announced. */
export function Status({ children, tone = "success" }: { children?: ReactNode; tone?: "success" | "info" | "error" }) {
  return (
    <p role="status" className={children ? `status status-${tone}` : "visually-hidden"}>
      {children}
    </p>
  );
}

export function Notice({
  tone = "info",
  title,
  children,
}: {
  tone?: "info" | "success" | "error";
  title?: string;
  children?: ReactNode;
}) {
  return (
    <div className={`alert alert-${tone}`}>
      {title && <p className="alert-title">{title}</p>}
      {children}
    </div>
  );
}
