import { contentSecurityPolicy, escapeHtml, renderPage } from '../html.js';

export function loginPageHeaders(): Record<string, string> {
  return { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': contentSecurityPolicy() };
}

export function renderLoginPage({ next, error }: { next: string; error?: string }): string {
  const message = error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '';
  return renderPage({
    title: 'zaprelay dashboard: sign in',
    body: `<form class="login" method="post" action="login">
  <h2>zaprelay dashboard</h2>
  ${message}
  <label>User <input name="user" autocomplete="username" required autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <input type="hidden" name="next" value="${escapeHtml(next)}">
  <button type="submit">Sign in</button>
</form>`,
  });
}
