import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useEffect, useRef } from 'preact/hooks';

/** Model output as Markdown: parsed by marked, then sanitised (it is never trusted HTML); code blocks get a copy button. */
export function MarkdownView({ text }: { text: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const html = marked.parse(text, { async: false, gfm: true, breaks: true });
    element.innerHTML = DOMPurify.sanitize(html, { USE_PROFILES: { html: true } });
    for (const pre of element.querySelectorAll('pre')) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'copy';
      button.textContent = 'Copy';
      button.setAttribute('aria-label', 'Copy code');
      button.addEventListener('click', () => {
        void navigator.clipboard
          .writeText(pre.querySelector('code')?.textContent ?? pre.textContent ?? '')
          .then(() => (button.textContent = 'Copied'))
          .catch(() => (button.textContent = 'Copy failed'));
      });
      pre.prepend(button);
    }
  }, [text]);
  return <div class="markdown" ref={ref} />;
}
