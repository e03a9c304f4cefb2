import type { ReactNode } from 'react';

/** A message above content: `error` for what failed (with what to do), `warning`, or `info`. */
export function Banner({
  tone,
  title,
  children,
  action,
}: {
  tone: 'error' | 'warning' | 'info';
  title?: string;
  children: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className={`banner banner-${tone}`} role={tone === 'error' ? 'alert' : 'note'}>
      <div className="banner-text">
        {title ? <strong>{title}</strong> : null}
        <span>{children}</span>
      </div>
      {action ? <div className="banner-action">{action}</div> : null}
    </div>
  );
}
