import type { ComponentProps, ReactNode } from "react";

type Props = Omit<ComponentProps<"button">, "children"> & {
  pending?: boolean;
  /** What the button says while its request runs, e.g. "Signing in…". */
  pendingLabel?: string;
  variant?: "primary" | "secondary" | "danger" | "ghost";
  children: ReactNode;
};

/**
 * A button that stays focusable while its request runs (aria-disabled rather than disabled, so focus
 * is not lost) and ignores clicks until it finishes.
 */
export function Button({
  pending = false,
  pendingLabel,
  variant = "primary",
  type = "button",
  children,
  onClick,
  ...rest
}: Props) {
  return (
    <button
      {...rest}
      type={type}
      className={`btn btn-${variant}${rest.className ? ` ${rest.className}` : ""}`}
      aria-disabled={pending || rest["aria-disabled"] ? true : undefined}
      aria-busy={pending || undefined}
      onClick={(event) => {
        if (pending) {
          event.preventDefault();
          return;
        }
        onClick?.(event);
      }}
    >
      {pending && <span className="spinner" aria-hidden="true" />}
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}

export function SubmitButton(props: Omit<Props, "type">) {
  return <Button {...props} type="submit" />;
}
