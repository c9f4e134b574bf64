/**
 * Short confirmations that need no answer ("Deleted “Old bio”.", "Copied"): Radix Toast, which
 * announces them politely to screen readers, pauses while hovered or focused, and has a hotkey (F8)
 * to reach them. Errors are not toasts: they stay beside what failed until dealt with.
 */
import { Toast } from "radix-ui";
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from "react";
import s from "./toast.module.css";

interface ToastMessage {
  id: number;
  text: string;
}

type Show = (text: string) => void;

const ToastContext = createContext<Show | null>(null);

/** Mounted once by the app shell; pages call `useToast()`. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [messages, setMessages] = useState<ToastMessage[]>([]);
  const next = useRef(0);
  const show = useCallback<Show>((text) => {
    next.current += 1;
    const id = next.current;
    // At most three at once: an older one makes room.
    setMessages((all) => [...all.slice(-2), { id, text }]);
  }, []);
  const value = useMemo(() => show, [show]);

  return (
    <ToastContext.Provider value={value}>
      <Toast.Provider duration={5000} label="Message">
        {children}
        {messages.map((m) => (
          <Toast.Root
            key={m.id}
            className={s.toast}
            onOpenChange={(open) => {
              if (!open) setMessages((all) => all.filter((x) => x.id !== m.id));
            }}
          >
            <Toast.Description className={s.text}>{m.text}</Toast.Description>
            <Toast.Close className={s.close} aria-label="Dismiss">
              <svg
                aria-hidden="true"
                viewBox="0 0 24 24"
                width="16"
                height="16"
                fill="none"
                stroke="currentColor"
                strokeWidth="2"
              >
                <path d="M6 6l12 12M18 6 6 18" strokeLinecap="round" />
              </svg>
            </Toast.Close>
          </Toast.Root>
        ))}
        {/* Named apart from the header's Notifications bell. */}
        <Toast.Viewport className={s.viewport} label="Messages ({hotkey})" />
      </Toast.Provider>
    </ToastContext.Provider>
  );
}

/** Show a short confirmation. */
export function useToast(): Show {
  const show = useContext(ToastContext);
  if (!show) throw new Error("useToast needs <ToastProvider> (the app shell mounts it)");
  return show;
}
