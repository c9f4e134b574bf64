import { useState } from "react";
import styles from "./Avatar.module.css";

export function initialsOf(name: string | null | undefined, email: string): string {
  const source = name?.trim() || email.split("@")[0] || "?";
  const words = source.split(/[\s._-]+/).filter((w) => /^\p{L}/u.test(w));
  if (words.length >= 2) return `${words[0]![0]}${words[1]![0]}`.toUpperCase();
  return (words[0] ?? source).slice(0, 1).toUpperCase();
}

/** The avatar image, or initials when there is none or it fails to load. Decorative: the name is next to it. */
export function Avatar({
  url,
  name,
  email,
  size = 32,
  onLoadError,
}: {
  url: string | null | undefined;
  name: string | null | undefined;
  email: string;
  size?: number;
  onLoadError?: () => void;
}) {
  const [failedUrl, setFailedUrl] = useState<string | null>(null);
  const showImage = url && failedUrl !== url;
  return (
    <span className={styles.avatar} style={{ width: size, height: size, fontSize: size * 0.4 }} aria-hidden="true">
      {showImage ? (
        <img
          src={url}
          alt=""
          width={size}
          height={size}
          referrerPolicy="no-referrer"
          onError={() => {
            setFailedUrl(url);
            onLoadError?.();
          }}
        />
      ) : (
        initialsOf(name, email)
      )}
    </span>
  );
}
