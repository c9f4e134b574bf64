import type { ReactNode } from "react";
import styles from "./AuthCard.module.css";

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
    <div className={styles.page}>
      <section className={`card ${styles.card}`}>
        <h1 tabIndex={-1}>{title}</h1>
        {intro && <div className={styles.intro}>{intro}</div>}
        {children}
      </section>
      {footer && <div className={styles.footer}>{footer}</div>}
    </div>
  );
}
