import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';

type Notify = (message: string) => void;
const NoticeContext = createContext<Notify>(() => {});

/** A short confirmation at the bottom of the window ("Copied", "Opened preview"), read out by screen readers. */
export function NoticeProvider({ children }: { children: ReactNode }) {
  const [message, setMessage] = useState<string>();
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const notify = useCallback<Notify>((text) => {
    setMessage(text);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setMessage(undefined), 3_000);
  }, []);
  useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <NoticeContext value={notify}>
      {children}
      <div className="notice-region" role="status" aria-live="polite">
        {message ? <div className="notice">{message}</div> : null}
      </div>
    </NoticeContext>
  );
}

export function useNotice(): Notify {
  return useContext(NoticeContext);
}
