// The patient's questionnaire page, opened from a one-time link without
// logging in. It shows the first name and the questions only; NRS-style
// items are big buttons a thumb can hit. The link's token is the last part
// of the address (/q/TOKEN); it never leaves this page except to the API.
import { h } from './dom.js';

const status = document.getElementById('q-status');
const form = document.getElementById('q-form');
const itemsBox = document.getElementById('q-items');
const errBox = document.getElementById('q-error');
const sendBtn = document.getElementById('q-send');
const title = document.getElementById('q-title');

function token() {
  const parts = location.pathname.split('/').filter(Boolean);
  const i = parts.indexOf('q');
  const t = i >= 0 ? parts[i + 1] : new URLSearchParams(location.search).get('t');
  return t && /^[A-Za-z0-9_-]{8,200}$/.test(t) ? t : null;
}

function say(text, tone) {
  status.textContent = text;
  status.className = tone || '';
}

function gone() {
  form.hidden = true;
  say('This link has already been used or has expired. If you still want to answer, please ask the clinic for a new link.', 'notice warn');
}

async function load(t) {
  let res;
  try {
    res = await fetch(`/api/q/${encodeURIComponent(t)}`, { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    say('The clinic\'s server could not be reached. Please check your connection and reload the page.', 'notice warn');
    return null;
  }
  if (res.status === 410 || res.status === 404) {
    gone();
    return null;
  }
  if (!res.ok) {
    say('Something went wrong loading the questions. Please try again later.', 'notice warn');
    return null;
  }
  return res.json();
}

// One question. Its wording is the clinic's (or, for NRS/VAS, prolo's);
// when the clinic loaded none, the item says so and shows its number only.
// Labelled answers (e.g. "None … Extreme") are a list of choices; an
// unlabelled scale is a row of number buttons with its two anchors.
function question(item, k, many, q) {
  const low = item.low || item.anchor_low || (q && q.low) || '';
  const high = item.high || item.anchor_high || (q && q.high) || '';
  const min = Number(item.min ?? 0);
  const max = Number(item.max ?? 10);
  const name = `item-${k + 1}`;
  const legendId = `${name}-text`;
  const labels = Array.isArray(item.labels) && item.labels.length === max - min + 1 ? item.labels : null;
  const text = item.text
    ? (many ? `${k + 1}. ${item.text}` : item.text)
    : (many ? `Question ${k + 1} (wording not shown: see your paper form)` : 'Your answer');
  const box = h('fieldset', { class: `question scale-field${item.text ? '' : ' no-wording'}`, dataset: { field: name }, 'aria-describedby': `${name}-err` },
    h('legend', { id: legendId }, h('p', { class: 'q-text' }, text)));
  if (labels) {
    box.append(h('div', { class: 'choices', role: 'radiogroup', 'aria-labelledby': legendId },
      labels.map((l, i) => h('label', {}, h('input', { type: 'radio', name, value: String(min + i) }),
        h('span', { class: 'choice-label' }, l)))));
  } else if (max - min <= 10) {
    box.append(h('div', { class: 'scale', role: 'radiogroup', 'aria-labelledby': legendId },
      Array.from({ length: max - min + 1 }, (_, i) => {
        const v = min + i;
        let label = String(v);
        if (v === min && low) label += ` – ${low}`;
        if (v === max && high) label += ` – ${high}`;
        return h('label', {}, h('input', { type: 'radio', name, value: String(v), 'aria-label': label }), h('span', {}, String(v)));
      })));
    if (low || high) {
      box.append(h('div', { class: 'anchors', 'aria-hidden': 'true' },
        h('span', {}, `${min} = ${low}`), h('span', {}, `${max} = ${high}`)));
    }
  } else {
    const id = `${name}-input`;
    box.append(h('label', { for: id }, `A number from ${min} to ${max}`),
      h('input', { id, name, type: 'number', inputmode: 'numeric', min, max, step: 1 }));
  }
  box.append(h('p', { class: 'field-error', id: `${name}-err`, 'aria-live': 'polite' }));
  return box;
}

// Before sending a form of several questions: the unanswered ones are
// pointed out once (each marked, the first focused, a summary above the
// button); sending again sends the form as it is, gaps included (the score
// then follows the questionnaire's rule for missing answers).
function pointOutSkipped(answers) {
  const skipped = answers.map((a, k) => (a === null ? k + 1 : 0)).filter(Boolean);
  if (!skipped.length) return false;
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  for (const n of skipped) {
    const box = form.querySelector(`[data-field="item-${n}"]`);
    if (box) box.querySelector('.field-error').textContent = 'Not answered yet.';
  }
  const list = skipped.length === 1 ? `question ${skipped[0]}`
    : `questions ${skipped.slice(0, -1).join(', ')} and ${skipped[skipped.length - 1]}`;
  errBox.textContent = `You have not answered ${list}. Please answer ${skipped.length === 1 ? 'it' : 'them'} if you can. ` +
    'If you prefer to leave ' + (skipped.length === 1 ? 'it' : 'them') + ' out, press “Send my answers” again.';
  errBox.hidden = false;
  const first = form.querySelector(`[data-field="item-${skipped[0]}"] input`);
  if (first) first.focus();
  return true;
}

function readAnswers(items) {
  return items.map((item, k) => {
    const name = `item-${k + 1}`;
    const radio = form.querySelector(`input[name="${name}"]:checked`);
    if (radio) return Number(radio.value);
    const input = form.querySelector(`input[type="number"][name="${name}"]`);
    if (input && input.value.trim() !== '') return Number(input.value);
    return null;
  });
}

function markError(field, message) {
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  errBox.hidden = true;
  const m = /^item[-\s]?(\d+)$/i.exec(field || '');
  const box = m ? form.querySelector(`[data-field="item-${Number(m[1])}"]`) : null;
  if (box) {
    box.querySelector('.field-error').textContent = message;
    const first = box.querySelector('input');
    if (first) first.focus();
    return;
  }
  errBox.textContent = message;
  errBox.hidden = false;
  errBox.focus();
}

// The next date the clinic will be in touch (from its follow-up plan), in
// words a patient reads at a glance.
function nextContact(day) {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return 'This was the last questionnaire the clinic planned for you.';
  const d = new Date(`${day}T12:00:00Z`);
  const text = d.toLocaleDateString(document.documentElement.lang || 'en', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  return `The clinic will next ask how you are doing around ${text}.`;
}

async function main() {
  const t = token();
  if (!t) {
    say('This address is not a valid questionnaire link. Please use the link the clinic sent you.', 'notice warn');
    return;
  }
  const q = await load(t);
  if (!q) return;
  const items = Array.isArray(q.items) ? q.items : [];
  title.textContent = q.first_name ? `Hello ${q.first_name}` : 'Your questionnaire';
  document.title = 'Your questionnaire';
  say(items.length === 1 ? 'Please answer one question. It takes a few seconds.' : `Please answer these ${items.length} questions.`);
  if (items.length > 1 && q.title) itemsBox.append(h('h2', { class: 'q-form-title' }, q.title));
  if (q.missing_note) itemsBox.append(h('p', { class: 'notice warn', id: 'q-missing' }, q.missing_note));
  if (q.intro) itemsBox.append(h('p', { class: 'q-intro' }, q.intro));
  items.forEach((item, k) => itemsBox.append(question(item, k, items.length > 1, q)));
  if (q.licence) itemsBox.append(h('p', { class: 'q-licence muted' }, q.licence));
  form.hidden = false;
  form.addEventListener('change', (ev) => { // an answer clears its question's message
    const box = ev.target.closest('[data-field]');
    if (box) box.querySelector('.field-error').textContent = '';
  });
  const first = form.querySelector('input');
  if (first) first.focus();
  errBox.setAttribute('tabindex', '-1');
  let skipsShown = false; // the unanswered questions were pointed out once
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const answers = readAnswers(items);
    const missing = answers.findIndex((a) => a === null);
    if (items.length === 1 && missing === 0) {
      markError('item-1', 'Please choose a number first.');
      return;
    }
    if (items.length > 1 && !skipsShown && pointOutSkipped(answers)) {
      skipsShown = true;
      return;
    }
    sendBtn.disabled = true;
    try {
      const res = await fetch(`/api/q/${encodeURIComponent(t)}`, {
        method: 'POST', cache: 'no-store', credentials: 'omit',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ items: answers }),
      });
      if (res.status === 410) {
        gone();
        return;
      }
      if (!res.ok) {
        let err = {};
        try { err = (await res.json()).error || {}; } catch (e) { err = {}; }
        markError(err.field, err.message || 'Your answers could not be saved. Please try again.');
        return;
      }
      let done = {};
      try { done = await res.json(); } catch (e) { done = {}; }
      form.hidden = true;
      title.textContent = 'Thank you';
      say('');
      status.append(h('p', { class: 'thanks' }, 'Your answers have been sent to the clinic. You can close this page.'),
        h('p', { class: 'next-contact' }, nextContact(done.next_contact)));
      title.setAttribute('tabindex', '-1');
      title.focus();
    } catch (e) {
      markError('', 'The clinic\'s server could not be reached. Please check your connection and try again.');
    } finally {
      sendBtn.disabled = false;
    }
  });
}

main();
