// Log in: name and password; the answer carries the CSRF token that every
// later change sends back.
import { h, field } from '../dom.js';
import { api } from '../api.js';
import { makeForm, invalid } from '../forms.js';
import { signedIn, homeFor, go } from '../app.js';

export async function loginView({ state }) {
  const user = field({ name: 'username', label: 'User name', required: true, autocomplete: 'username' });
  const pass = field({ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' });
  user.control.setAttribute('autofocus', '');
  const form = makeForm({
    class: 'login',
    label: 'Log in',
    submitLabel: 'Log in',
    body: [user, pass],
    collect: () => {
      const username = user.control.value.trim();
      const password = pass.control.value;
      if (!username) throw invalid('username', 'Enter your user name.');
      if (!password) throw invalid('password', 'Enter your password.');
      return { username, password };
    },
    send: (body) => api('POST', '/api/login', body, { quietAuth: true }),
    done: (res) => {
      signedIn(res.user, res.csrf_token);
      const back = state.returnTo;
      state.returnTo = '';
      go(back && back !== '#/login' ? back : homeFor(res.user));
    },
  });
  return h('div', { class: 'narrow-box' },
    h('h1', {}, 'Log in to prolo'),
    h('p', { class: 'muted' }, 'The outcomes registry of your clinic.'),
    form);
}
