/** 이전 / 다음 over a cursor-paged list: `cursors` are the pages already passed, `next` the list's next cursor. */
import { html } from '../shared/html';

export function Pager({
  cursors,
  next,
  setCursors,
}: {
  cursors: string[];
  next: string | undefined;
  setCursors: (cursors: string[]) => void;
}) {
  return html`<div class="pager">
    <button class="secondary" disabled=${cursors.length === 0} onClick=${() => setCursors(cursors.slice(0, -1))}>
      이전
    </button>
    <button class="secondary" disabled=${!next} onClick=${() => next && setCursors([...cursors, next])}>다음</button>
  </div>`;
}
