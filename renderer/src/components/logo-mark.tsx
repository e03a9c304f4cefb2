/** The app's mark: a stack of sandboxes (drawn inline: the CSP allows no remote images). */
export function LogoMark({ size = 20 }: { size?: number }) {
  return (
    <svg className="logo-mark" width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <rect x="3" y="3" width="18" height="18" rx="5" fill="currentColor" />
      <path d="M8 9.5h8M8 12h8M8 14.5h5" stroke="var(--logo-ink)" strokeWidth="1.8" strokeLinecap="round" />
    </svg>
  );
}
