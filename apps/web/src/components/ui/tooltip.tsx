/**
 * A short hint on hover and keyboard focus (Radix Tooltip) in place of the title attribute, which
 * keyboard and touch users never see and screen readers read inconsistently. The hint repeats or
 * explains the control's accessible name; it is never the only name a control has.
 */
import { Tooltip as Radix } from "radix-ui";
import type { ReactElement, ReactNode } from "react";
import s from "./tooltip.module.css";

export function Tooltip({
  label,
  side = "top",
  children,
}: {
  label: ReactNode;
  side?: "top" | "right" | "bottom" | "left";
  /** One focusable element (it receives the trigger's props). */
  children: ReactElement;
}) {
  return (
    // A provider per tooltip keeps the wrapper usable anywhere (tests, portals); the delay is the same everywhere.
    <Radix.Provider delayDuration={400} skipDelayDuration={300}>
      <Radix.Root>
        <Radix.Trigger asChild>{children}</Radix.Trigger>
        <Radix.Portal>
          <Radix.Content className={s.content} side={side} sideOffset={6} collisionPadding={8}>
            {label}
            <Radix.Arrow className={s.arrow} width={10} height={5} />
          </Radix.Content>
        </Radix.Portal>
      </Radix.Root>
    </Radix.Provider>
  );
}
