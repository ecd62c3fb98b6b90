// The patient's one-click opt-out: one button, one POST with the token of
// the link (a GET never changes anything, so mail scanners that open links
// do not opt anyone out).
const parts = location.pathname.split('/').filter(Boolean);
const token = parts[parts.indexOf('optout') + 1] || '';
const button = document.getElementById('o-send');
const status = document.getElementById('o-status');
button.addEventListener('click', async () => {
  button.disabled = true;
  try {
    const res = await fetch(`/api/optout/${encodeURIComponent(token)}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: '{}', cache: 'no-store', credentials: 'omit',
    });
    status.textContent = res.ok ? 'Done: you will not receive follow-up messages any more.'
      : 'This link is not valid. Please call your clinic.';
    button.hidden = res.ok;
  } catch (e) {
    status.textContent = 'Could not reach the clinic. Please try again later.';
  }
  button.disabled = false;
});
