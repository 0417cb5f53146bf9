import type { ComponentChildren } from 'preact';
import { navigate } from '../router.js';

/** An in-app link: a real href (open in a new tab works), history navigation on click. */
export function Link(props: { href: string; current?: boolean; children: ComponentChildren }) {
  return (
    <a
      href={props.href}
      aria-current={props.current ? 'page' : undefined}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}
