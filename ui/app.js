// Behaviour the app adds in the browser: marker links to sources, the latest answer shown from its start,
// readable names for chat messages, the question's character counter, and sources in a sheet on a phone.
if (!window.saReady) {
  window.saReady = true;
  var PHONE = window.matchMedia('(max-width: 760px)');

  function chatScroller() {
    var log = document.querySelector('#sa-chat [role=log]') || document.querySelector('#sa-chat .bubble-wrap');
    var el = log;
    while (el && el !== document.body) {
      var style = getComputedStyle(el);
      if (/(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight) return el;
      el = el.parentElement;
    }
    return log;
  }

  // After an answer arrives: scroll the chat so the answer starts at the top of the view, not its end.
  window.saShowLatestAnswer = function () {
    var tries = 0;
    (function show() {
      var bots = document.querySelectorAll('#sa-chat [data-testid=bot]');
      var last = bots[bots.length - 1];
      if (!last) { if (tries++ < 20) setTimeout(show, 100); return; }
      var box = chatScroller();
      if (!box) return;
      box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
    })();
  };

  // Gradio names each message by its raw content (HTML and all); name it by the words a reader sees.
  function nameMessages() {
    document.querySelectorAll('#sa-chat [data-testid=bot], #sa-chat [data-testid=user]').forEach(function (m) {
      var who = m.getAttribute('data-testid') === 'bot' ? 'Answer: ' : 'Your question: ';
      var text = (m.innerText || '').replace(/\[(\d+)\]/g, '(source $1)').replace(/\s+/g, ' ').trim();
      var name = who + text.slice(0, 400);
      if (m.getAttribute('aria-label') !== name) m.setAttribute('aria-label', name);
    });
    // Upload areas: the spoken name should hold the words on screen ("Drop File Here - or - Click to Upload").
    document.querySelectorAll('.upload-container[aria-label]').forEach(function (u) {
      var words = (u.innerText || '').replace(/\s+/g, ' ').trim();
      if (words && u.getAttribute('aria-label') !== words) u.setAttribute('aria-label', words);
    });
    document.querySelectorAll('#sa-chat a.sa-ref').forEach(function (a) {
      var name = 'source ' + a.textContent.replace(/[\[\]]/g, '');
      if (a.getAttribute('aria-label') !== name) a.setAttribute('aria-label', name);
    });
    document.querySelectorAll('#sa-chat button[aria-label=""]').forEach(function (b) {
      b.setAttribute('aria-label', (b.getAttribute('title') || 'Chat options'));
    });
  }
  var naming = false;
  new MutationObserver(function () {
    if (naming) return;
    naming = true;
    requestAnimationFrame(function () { nameMessages(); updateCounter(); naming = false; });
  }).observe(document.body, {childList: true, subtree: true, characterData: true});

  // The counter under the question box, kept current as the user types (and when the box is cleared).
  function updateCounter() {
    var p = document.querySelector('#sa-question-count .sa-counter');
    var box = document.querySelector('#sa-question textarea');
    if (!p || !box) return;
    var limit = parseInt(p.getAttribute('data-limit'), 10), used = box.value.length;
    var text = used.toLocaleString('en-GB') + ' of ' + limit.toLocaleString('en-GB') + ' characters' +
      (used > limit ? ' — too long to send' : '');
    if (p.textContent !== text) p.textContent = text;
    p.classList.toggle('sa-over', used > limit);
  }
  document.addEventListener('input', function (ev) {
    if (ev.target.closest && ev.target.closest('#sa-question')) updateCounter();
  }, true);

  function closeSheet() {
    var sheet = document.getElementById('sa-sheet');
    if (!sheet) return;
    var back = sheet.saFrom;
    sheet.remove();
    document.body.classList.remove('sa-sheet-open');
    if (back && document.body.contains(back)) back.focus();
  }

  // On a phone the sources sit far below the chat: show the chosen one in a sheet over the answer instead.
  function openSheet(card, link) {
    closeSheet();
    var sheet = document.createElement('div');
    sheet.id = 'sa-sheet';
    sheet.setAttribute('role', 'dialog');
    sheet.setAttribute('aria-modal', 'true');
    sheet.setAttribute('aria-label', 'Source ' + link.textContent.replace(/[\[\]]/g, ''));
    var back = document.createElement('button');
    back.type = 'button';
    back.className = 'sa-back';
    back.textContent = '← Back to the answer';
    back.addEventListener('click', closeSheet);
    var copy = card.cloneNode(true);
    copy.removeAttribute('id');
    copy.open = true;
    sheet.appendChild(back);
    sheet.appendChild(copy);
    sheet.saFrom = link;
    document.body.appendChild(sheet);
    document.body.classList.add('sa-sheet-open');
    back.focus();
  }
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') closeSheet(); });
  document.addEventListener('click', function (ev) {
    if (ev.target.closest && ev.target.closest('[role=tab]')) closeSheet();
  }, true);

  // Selecting an answer's [n] marker (click, or Enter on the focused link) opens that source's card. The chat's
  // select event swaps in that answer's sources first, so the card may take a moment to appear.
  document.addEventListener('click', function (ev) {
    var link = ev.target && ev.target.closest ? ev.target.closest('a.sa-ref') : null;
    if (!link) return;
    ev.preventDefault();
    var id = (link.getAttribute('href') || '').slice(1), tries = 0;
    (function open() {
      var card = document.getElementById(id);
      if (!card) { if (tries++ < 50) setTimeout(open, 100); return; }
      document.querySelectorAll('#sa-sources details.sa-cite').forEach(function (d) {
        d.open = d === card; d.classList.toggle('sa-selected', d === card);
      });
      if (PHONE.matches) { openSheet(card, link); return; }
      card.scrollIntoView({block: 'nearest'});
      card.querySelector('summary').focus({preventScroll: true});
    })();
  }, true);
}
