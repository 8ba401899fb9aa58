/**
 * 로그인: user name and password, then what Cognito asks next — the authenticator app's code, or at
 * the first sign-in of an account an administrator created, a new password and the enrolment of an
 * authenticator app (its secret as a QR code and as text, confirmed by one of its codes).
 */
import { useState } from 'preact/hooks';
import { create as qrCode } from 'qrcode';
import {
  answerCode,
  otpauthUri,
  setNewPassword,
  signIn,
  SignInError,
  verifyApp,
  type Session,
  type SignInSettings,
  type SignInStep,
} from '../shared/cognito';
import { html } from '../shared/html';

const ISSUER = '체납 가상자산 관리';

const PASSWORD_RULE = '12자 이상, 영문 대문자·소문자, 숫자, 특수문자를 모두 포함';

/** The officer's message for a refusal, by Cognito's error code. */
function message(err: unknown): string {
  const code = err instanceof SignInError ? err.code : '';
  if (['NotAuthorizedException', 'UserNotFoundException'].includes(code))
    return /session/i.test((err as Error).message)
      ? '로그인 시간이 지났습니다. 처음부터 다시 로그인하세요.'
      : '아이디 또는 비밀번호가 맞지 않습니다.';
  if (['CodeMismatchException', 'EnableSoftwareTokenMFAException'].includes(code))
    return '인증 코드가 맞지 않습니다. 인증 앱의 현재 코드를 입력하세요.';
  if (code === 'InvalidPasswordException') return `비밀번호 규칙에 맞지 않습니다: ${PASSWORD_RULE}.`;
  return (err as Error).message;
}

/** The secret's otpauth:// address as a QR code: one SVG path of the dark modules (no script, no image data). */
function QrCode({ text, label }: { text: string; label: string }) {
  const { size, data } = qrCode(text, { errorCorrectionLevel: 'M' }).modules;
  const quiet = 4;
  let d = '';
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) if (data[y * size + x]) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
  const side = size + 2 * quiet;
  return html`<svg class="qr" role="img" aria-label=${label} viewBox=${`0 0 ${side} ${side}`} width="200" height="200">
    <rect width=${side} height=${side} fill="#fff" />
    <path d=${d} fill="#000" />
  </svg>`;
}

const field = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === 'string' ? v : '';
};

const CODE_INPUT = html`<label
  >인증 코드 (OTP)<input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required
/></label>`;

export function SignIn({ settings, onSession }: { settings: SignInSettings; onSession: (s: Session) => void }) {
  const [step, setStep] = useState<Exclude<SignInStep, { step: 'done' }> | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  /** Runs one step of the sign-in from a submitted form; a refused code or an expired session starts over. */
  const submit = (work: (form: FormData) => Promise<SignInStep | undefined>) => async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      const next = await work(form);
      if (next?.step === 'done') onSession(next.session);
      else if (next) setStep(next);
    } catch (err) {
      setError(message(err));
      const code = err instanceof SignInError ? err.code : '';
      // Cognito closes the session on these: the officer signs in again.
      if (step && (code === 'NotAuthorizedException' || (step.step === 'code' && code === 'CodeMismatchException')))
        setStep(undefined);
    } finally {
      setBusy(false);
    }
  };

  const alert = error ? html`<p class="error" role="alert">${error}</p>` : null;
  // Keyed by step: each step's form is a new one, never an earlier step's fields with what was typed in them.
  const shell = (intro: string, form: unknown) =>
    html`<main class="signin">
      <h1>체납 가상자산 관리 콘솔</h1>
      <p class="notice">${intro}</p>
      <div key=${step?.step ?? 'password'}>${form}</div>
    </main>`;

  if (!step)
    return shell(
      '세무 공무원 전용입니다. 아이디와 비밀번호를 입력하세요.',
      html`<form onSubmit=${submit((f) => signIn(settings, field(f, 'username'), field(f, 'password')))} class="card">
        <label>아이디<input name="username" autocomplete="username" required /></label>
        <label>비밀번호<input name="password" type="password" autocomplete="current-password" required /></label>
        <button type="submit" disabled=${busy}>로그인</button>
        ${alert}
      </form>`,
    );
  if (step.step === 'code')
    return shell(
      `${step.username}: 인증 앱에 표시된 6자리 코드를 입력하세요.`,
      html`<form onSubmit=${submit((f) => answerCode(settings, step, field(f, 'code')))} class="card">
        ${CODE_INPUT}
        <button type="submit" disabled=${busy}>확인</button>
        ${alert}
      </form>`,
    );
  if (step.step === 'new-password')
    return shell(
      `${step.username}: 처음 로그인하셨습니다. 관리자가 준 임시 비밀번호 대신 사용할 새 비밀번호를 정하세요.`,
      html`<form
        onSubmit=${submit(async (f) => {
          if (field(f, 'password') !== field(f, 'confirm')) {
            setError('두 비밀번호가 같지 않습니다.');
            return undefined;
          }
          return setNewPassword(settings, step, field(f, 'password'));
        })}
        class="card"
      >
        <h2>새 비밀번호</h2>
        <p id="password-rule">${PASSWORD_RULE}</p>
        <label
          >새 비밀번호<input
            name="password"
            type="password"
            autocomplete="new-password"
            minlength="12"
            aria-describedby="password-rule"
            required
        /></label>
        <label
          >새 비밀번호 확인<input name="confirm" type="password" autocomplete="new-password" minlength="12" required
        /></label>
        <button type="submit" disabled=${busy}>비밀번호 변경</button>
        ${alert}
      </form>`,
    );
  return shell(
    `${step.username}: 로그인할 때마다 인증 앱의 코드가 필요합니다. 인증 앱(Google Authenticator 등)으로 QR 코드를 읽거나 설정 키를 입력한 뒤, 앱에 표시된 코드를 입력하세요.`,
    html`<form onSubmit=${submit((f) => verifyApp(settings, step, field(f, 'code')))} class="card">
      <h2>인증 앱 등록</h2>
      <${QrCode} text=${otpauthUri(ISSUER, step.username, step.secret)} label="인증 앱 등록용 QR 코드" />
      <p>설정 키: <code class="secret" aria-label="설정 키">${step.secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
      ${CODE_INPUT}
      <button type="submit" disabled=${busy}>등록</button>
      ${alert}
    </form>`,
  );
}
