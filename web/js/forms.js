// One way to submit a form: collect the values, send them, show the server's
// validation message next to the field it names, keep the button disabled
// while the request is in flight. The Idempotency-Key is kept across tries
// that never reached the server and renewed once the server has answered.
import { h, clearErrors, showError, toast } from './dom.js';
import { ApiError, newKey } from './api.js';

// opts: {class, label (aria), submitLabel, cancelHref, body: [elements],
// collect(form) -> payload, send(payload, {key}) -> Promise, done(result)}
export function makeForm(opts) {
  const errBox = h('p', { class: 'form-error', role: 'alert', tabindex: '-1' });
  const submit = h('button', { type: 'submit', class: 'primary' }, opts.submitLabel || 'Save');
  const form = h('form', { class: `form ${opts.class || ''}`, novalidate: true, dataset: { form: opts.label || '' } },
    errBox,
    opts.body,
    h('div', { class: 'actions' }, submit,
      opts.cancelHref ? h('a', { class: 'button', href: opts.cancelHref }, 'Cancel') : null));
  let key = newKey();
  let busy = false;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    clearErrors(form);
    let payload;
    try {
      payload = opts.collect(form);
    } catch (e) {
      if (e instanceof ApiError) {
        showError(form, e);
        return;
      }
      throw e;
    }
    busy = true;
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    try {
      const result = await opts.send(payload, { key });
      key = newKey();
      await opts.done(result, payload);
    } catch (e) {
      if (!(e instanceof ApiError)) {
        toast(`Something went wrong in this page: ${e.message}`);
        throw e;
      }
      if (e.status !== 0) key = newKey(); // the server answered; a new try is a new request
      showError(form, e, opts.scopeFor ? opts.scopeFor(e.field || '', e.message || '') : null);
    } finally {
      busy = false;
      submit.disabled = false;
      submit.removeAttribute('aria-busy');
    }
  });
  form.submitButton = submit;
  return form;
}

// A client-side error raised by collect() (e.g. an unanswered required
// question), shown exactly like a server error.
export function invalid(field, message) {
  return new ApiError(400, 'invalid', message, field);
}
