import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { balanceQuery, creditsWord, formatCredits } from "../lib/credits.ts";
import styles from "./BalanceChip.module.css";
import { CoinIcon } from "./CostLabel.tsx";

/** The header's credit balance, linking to the credits page. */
export function BalanceChip() {
  const balance = useQuery(balanceQuery());
  const available = balance.data?.available;
  const empty = available === 0;
  return (
    <Link to="/credits" className={`${styles.chip}${empty ? ` ${styles.empty}` : ""}`}>
      <CoinIcon size={16} />
      {available === undefined ? (
        <span>
          <span aria-hidden="true">…</span>
          <span className="visually-hidden">Credits</span>
        </span>
      ) : (
        <span>
          {formatCredits(available)}
          <span className={styles.word}> {creditsWord(available)}</span>
          <span className="visually-hidden"> available</span>
        </span>
      )}
    </Link>
  );
}
