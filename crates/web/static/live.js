// Kansli live.js (#20): keeps live views current over server-sent events.
// Progressive enhancement only: without it every page works by reload.
//
// - Each element with data-live-src opens an EventSource on that address;
//   an event `state` replaces the contents of its [data-live] element
//   (itself, or the first inside it).
// - A [data-live-keep] element (a form) the user is filling in (focus
//   inside, or typed into) is never replaced: the old element is kept in
//   the new contents, matched by its id.
// - A [data-live-reload] view (the chair's: one person, many forms) is
//   reloaded on a change later than its data-live-seq, unless a form is
//   being filled in.
// - [data-live-status] shows the connection's state in Swedish; the texts
//   of the new contents' [data-live-announce] elements, when they change,
//   go to the polite live region [data-live-said] (a screen reader hears
//   the count and the result, not the whole page again).
// - Pushed forms get the page's csrf and a fresh one-time key; the page's
//   own ballot section [data-live-stale] stays while its votering is open.
// - [data-timer-since] (ms since the epoch) shows the time spoken, marked
//   past [data-timer-limit] seconds (advisory: speaking time is not cut).
(function () {
  'use strict';
  if (!window.EventSource) return;

  var statusEl = document.querySelector('[data-live-status]');
  function status(text, state) {
    if (!statusEl) return;
    statusEl.textContent = text;
    statusEl.setAttribute('data-state', state);
  }

  // Forms being filled in: focus inside, or typed into since shown.
  document.addEventListener('input', function (e) {
    var keep = e.target.closest && e.target.closest('[data-live-keep]');
    if (keep) keep.setAttribute('data-live-dirty', '');
  });
  var typed = false, leaving = false;
  document.addEventListener('input', function () { typed = true; });
  // A form sent: the answer is the next page, not a reload.
  document.addEventListener('submit', function () { leaving = true; });
  function busy(el) {
    return el.hasAttribute('data-live-dirty') || el.contains(document.activeElement);
  }

  function swap(target, html) {
    var fresh = document.createElement('template');
    fresh.innerHTML = html;
    var kept = target.querySelectorAll('[data-live-keep][id]');
    for (var i = 0; i < kept.length; i++) {
      var old = kept[i];
      if (!busy(old)) continue;
      var spot = fresh.content.getElementById(old.id);
      if (spot) spot.replaceWith(old);
    }
    var said = [].map.call(fresh.content.querySelectorAll('[data-live-announce]'),
      function (e) { return e.textContent.trim(); }).join('. ');
    settle(fresh.content);
    target.replaceChildren(fresh.content);
    fill(target);
    var region = document.querySelector('[data-live-said]');
    if (region && said && said !== region.textContent) region.textContent = said;
    tick();
  }

  // A pushed form is the same for everyone: its csrf comes from the
  // page (data-csrf on the [data-live-src] element), its one-time key is
  // made here.
  function fill(target) {
    var src = target.closest('[data-live-src]');
    var csrf = src && src.getAttribute('data-csrf');
    var empty = target.querySelectorAll('input[data-live-csrf], input[data-live-once]');
    for (var i = 0; i < empty.length; i++) {
      var input = empty[i];
      if (input.value) continue;
      if (input.hasAttribute('data-live-csrf')) {
        if (csrf) input.value = csrf;
      } else {
        var b = new Uint8Array(32);
        window.crypto.getRandomValues(b);
        input.value = [].map.call(b, function (x) { return (x < 16 ? '0' : '') + x.toString(16); }).join('');
      }
    }
  }

  // The page's own ballot section ([data-live-stale]) stands while the
  // votering it was rendered for is open (the pushed form gives way to
  // it); when the push has no ballot form, the votering is over and it goes.
  function settle(content) {
    var stale = document.querySelector('[data-live-stale]');
    if (!stale) return;
    var pushed = content.querySelector('[data-live-vote]');
    if (pushed) pushed.remove();
    else stale.remove();
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function tick() {
    var timers = document.querySelectorAll('[data-timer-since]');
    var now = Date.now();
    for (var i = 0; i < timers.length; i++) {
      var t = timers[i];
      var since = Number(t.getAttribute('data-timer-since'));
      if (!since) continue;
      var s = Math.max(0, Math.floor((now - since) / 1000));
      var limit = Number(t.getAttribute('data-timer-limit')) || 0;
      t.textContent = Math.floor(s / 60) + ':' + pad(s % 60) +
        (limit ? ' av ' + Math.floor(limit / 60) + ':' + pad(limit % 60) : '');
      t.classList.toggle('over', limit > 0 && s > limit);
    }
  }
  setInterval(tick, 1000);
  tick();

  var sources = document.querySelectorAll('[data-live-src]');
  for (var i = 0; i < sources.length; i++) {
    (function (el) {
      var reload = el.hasAttribute('data-live-reload');
      var target = el.hasAttribute('data-live') ? el : el.querySelector('[data-live]');
      if (!target && !reload) return;
      status('Ansluter …', 'connecting');
      var es = new EventSource(el.getAttribute('data-live-src'));
      es.addEventListener('open', function () {
        status('Direkt: sidan uppdateras av sig själv.', 'open');
      });
      es.addEventListener('error', function () {
        // The browser reconnects by itself, sending Last-Event-ID.
        status(es.readyState === EventSource.CLOSED
          ? 'Anslutningen är stängd. Ladda om sidan.'
          : 'Anslutningen bröts. Försöker igen …', 'lost');
      });
      es.addEventListener('state', function (e) {
        if (reload) {
          // A view of one person's with its own forms: the page again on
          // a later change, unless a form is being filled in.
          if (leaving || Number(e.lastEventId) <= Number(el.getAttribute('data-live-seq'))) return;
          var a = document.activeElement;
          if (typed || (a && a.form && a.tagName !== 'BUTTON')) {
            status('Läget har ändrats. Ladda om sidan när du är klar.', 'stale');
          } else {
            window.location.reload();
          }
          return;
        }
        swap(target, e.data);
        status('Direkt: sidan uppdateras av sig själv.', 'open');
        el.setAttribute('data-live-seq', e.lastEventId);
      });
    })(sources[i]);
  }
})();
