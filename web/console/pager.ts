/**
 * 이전 / 다음 over a cursor-paged list: `cursors` are the pages already passed, `next` the list's
 * next cursor. A filtered page the API cut short (it read `examined` cases, the most one request
 * reads) says so, and 다음 reads on from where it stopped.
 */
import { html } from '../shared/html';

/** A page as the API answers it: a filtered one may have been cut short (`truncated`, `examined`). */
export interface CursorPage<T> {
  items: T[];
  cursor?: string;
  truncated?: true;
  examined?: number;
}

export function Pager({
  cursors,
  next,
  setCursors,
  examined,
  label,
}: {
  cursors: string[];
  next: string | undefined;
  setCursors: (cursors: string[]) => void;
  /** Present when the page was cut short after reading this many cases. */
  examined?: number | undefined;
  /** What the list is, when a page has more than one. */
  label?: string;
}) {
  const goOn = () => next && setCursors([...cursors, next]);
  return html`<div class="pager" role="group" aria-label=${label ? `${label} 페이지` : '페이지'}>
    ${
      examined !== undefined && next
        ? html`<p class="notice cut" role="status">
            ${`${examined.toLocaleString('ko-KR')}건까지 살펴봤습니다 — 다음 페이지에서 계속`}
          </p>`
        : null
    }
    <button class="secondary" disabled=${cursors.length === 0} onClick=${() => setCursors(cursors.slice(0, -1))}>
      이전
    </button>
    <button class="secondary" disabled=${!next} onClick=${goOn}>다음</button>
  </div>`;
}
