/**
 * 실행 단계: one Step Functions execution (a sale's or a desk's) state by state, newest first, with
 * a choice of the other executions (a long sale's earlier days `_c<n>`, a desk's earlier runs).
 */
import { useState } from 'preact/hooks';
import { when } from '../shared/format';
import { html } from '../shared/html';
import { EXECUTION_LABEL, STATE_TYPE_LABEL, VISIT_LABEL } from './labels';

export interface ExecutionRef {
  name: string;
  continuation?: number;
  run?: number;
}

export interface Execution extends ExecutionRef {
  status: string;
  startedAt?: string;
  stoppedAt?: string;
  states: {
    state: string;
    type: string;
    enteredAt: string;
    exitedAt?: string;
    status: string;
    failures: number;
    error?: string;
  }[];
  truncated: boolean;
}

/** States listed before 모두 보기: the latest (a day's run has hundreds). */
const STATES_FIRST = 25;

/** How officers name an execution: a sale's by its day in the sale, a desk's by its run. */
export function executionLabel(e: ExecutionRef): string {
  if (e.run !== undefined) return `${e.run}회차 (${e.name})`;
  return e.continuation ? `${e.continuation + 1}일차 실행 (${e.name})` : `첫 실행 (${e.name})`;
}

/**
 * The execution shown (`execution`, absent when its history cannot be read) among `choices`;
 * `picked` is the index chosen, `onPick` chooses another.
 */
export function ExecutionStates({
  execution,
  choices,
  picked,
  onPick,
}: {
  execution: Execution | undefined;
  choices: readonly ExecutionRef[];
  picked: number;
  onPick: (index: number) => void;
}) {
  const [all, setAll] = useState(false);
  const newestFirst = [...(execution?.states ?? [])].reverse();
  const shown = all ? newestFirst : newestFirst.slice(0, STATES_FIRST);
  return html`<h2>실행 단계 (Step Functions)</h2>
    ${
      choices.length > 1
        ? html`<label class="row"
            >실행 선택 (${choices.length}개)<select
              value=${String(picked)}
              onChange=${(e: Event) => onPick(Number((e.target as HTMLSelectElement).value))}
            >
              ${choices.map((c, i) => html`<option value=${String(i)}>${executionLabel(c)}</option>`)}
            </select></label
          >`
        : null
    }
    ${
      !execution
        ? html`<p class="notice">이 실행의 단계를 읽을 수 없습니다.</p>`
        : html`<p class="notice">
              실행 ${execution.name} · ${EXECUTION_LABEL[execution.status] ?? execution.status} ·
              ${when(execution.startedAt)} 시작${execution.stoppedAt ? ` · ${when(execution.stoppedAt)} 종료` : ''} ·
              최근 단계부터${execution.truncated ? ` (최근 ${execution.states.length}개 단계)` : ''}
            </p>
            <table>
              <caption class="visually-hidden">
                실행 단계
              </caption>
              <thead>
                <tr>
                  <th>단계</th>
                  <th>종류</th>
                  <th>시작</th>
                  <th>종료</th>
                  <th>결과</th>
                  <th class="num">실패 시도</th>
                  <th>오류</th>
                </tr>
              </thead>
              <tbody>
                ${shown.map(
                  (v) =>
                    html`<tr>
                      <td>${v.state}</td>
                      <td>${STATE_TYPE_LABEL[v.type] ?? v.type}</td>
                      <td>${when(v.enteredAt)}</td>
                      <td>${v.exitedAt ? when(v.exitedAt) : '—'}</td>
                      <td>
                        <span
                          class=${`badge ${v.status === 'SUCCEEDED' ? 'good' : v.status === 'FAILED' ? 'bad' : 'warn'}`}
                          >${VISIT_LABEL[v.status] ?? v.status}</span
                        >
                      </td>
                      <td class="num">${v.failures}</td>
                      <td>${v.error ?? ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
            ${
              newestFirst.length > STATES_FIRST
                ? html`<button class="secondary" onClick=${() => setAll(!all)}>
                    ${all ? '최근 단계만 보기' : `모두 보기 (${newestFirst.length}개 단계)`}
                  </button>`
                : null
            }`
    }`;
}
